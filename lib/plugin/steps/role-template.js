'use strict';

const deployRoleTemplate = require('../../api/deploy-role-template');

/**
 * The access role's template as `access-role template` prints it and `link --create` deploys
 * it: trusting `principalArn`, and allowing what the profile's sessions need (`needs`, from
 * ../session-trust-needs). The body is YAML 1.1, whose rules quote what CloudFormation's parser
 * would otherwise read as a date or bool.
 *
 * @param {{ principalArn: string, externalId?: string, roleName?: string,
 *   needs: ReturnType<import('../session-trust-needs')>,
 *   boundary?: ReturnType<import('./boundary-inputs')> }} options `boundary`: the
 *   least-privilege form, from `--permissions-boundary` / `--role-prefix`
 * @returns {{ template: object, body: string, extras: string[] }} `extras`: the trust actions
 *   allowed beyond sts:AssumeRole, in words
 */
function roleTemplate({ principalArn, externalId, roleName, needs, boundary = {} }) {
  const template = deployRoleTemplate({
    principalArn,
    externalId,
    roleName,
    tagSession: needs.tagSession,
    setSourceIdentity: needs.setSourceIdentity,
    ...boundary,
  });
  const extras = [
    needs.tagSession && 'sts:TagSession (session tags)',
    needs.setSourceIdentity && 'sts:SetSourceIdentity (source identity)',
  ].filter(Boolean);
  const body = `${require('yaml').stringify(template, { version: '1.1' }).trimEnd()}\n`;
  return { template, body, extras };
}

module.exports = roleTemplate;
