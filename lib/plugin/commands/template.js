'use strict';

const YAML = require('yaml');
const deployRoleTemplate = require('../../api/deploy-role-template');
const sessionTrustNeeds = require('../session-trust-needs');
const userError = require('../user-error');

const ASSUMED_ROLE = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/**
 * The principal to trust when none is given: the caller's own identity, asked through the
 * framework's client on the framework's own credentials (asyncInit installs no access role for
 * this command). An assumed-role session becomes its role, since a trust policy names roles.
 */
async function callerPrincipal(plugin) {
  const { serverless, log } = plugin;
  let arn;
  try {
    ({ arn } = await serverless.getProvider('aws').getAccountInfo());
  } catch (error) {
    throw userError(
      serverless,
      `Could not learn your AWS identity to trust (${error.message}); pass --principal ARN.`,
      'ACCESS_ROLES_NO_PRINCIPAL',
    );
  }
  const assumed = ASSUMED_ROLE.exec(arn);
  if (!assumed) return arn;
  const [, partition, account, role] = assumed;
  log.warning(
    `You are signed in through role ${role}; the template trusts arn:${partition}:iam::${account}:role/${role}. ` +
      'If that role has a path (SSO roles do), pass its full ARN with --principal.',
  );
  return `arn:${partition}:iam::${account}:role/${role}`;
}

/**
 * `serverless access-role template [--principal ARN] [--external-id X] [--role-name N]`:
 * prints, on stdout, a CloudFormation template for the access role (see deploy-role-template).
 * When a deployment profile already applies to this app and stage and sets session tags or a
 * source identity, the trust policy allows `sts:TagSession` / `sts:SetSourceIdentity` too; when it
 * is chained with `via`, the role before it is the principal trusted.
 *
 * @param {import('..')} plugin
 */
async function runTemplate(plugin) {
  const { serverless, options, log } = plugin;
  const settings = plugin.settings();
  const needs = sessionTrustNeeds(serverless, settings);
  // A chained profile's role is assumed with the keys of the role before it, not the caller's.
  const principalArn = options.principal || needs.viaRoleArn || (await callerPrincipal(plugin));
  const template = deployRoleTemplate({
    principalArn,
    externalId: options['external-id'],
    roleName: options['role-name'],
    tagSession: needs.tagSession,
    setSourceIdentity: needs.setSourceIdentity,
  });
  const extra = [needs.tagSession && 'sts:TagSession (session tags)', needs.setSourceIdentity && 'sts:SetSourceIdentity (source identity)'];
  if (needs.profile && extra.some(Boolean)) {
    log.notice(`The trust policy allows ${extra.filter(Boolean).join(' and ')}, as profile "${needs.profile}" sends them.`);
  }
  // YAML 1.1 rules quote what CloudFormation's parser would otherwise read as a date or bool.
  log.writeText(YAML.stringify(template, { version: '1.1' }).trimEnd());
  log.notice(
    'Deploy it (aws cloudformation deploy --template-file role.yml --stack-name serverless-deploy-role ' +
      '--capabilities CAPABILITY_NAMED_IAM), then: serverless access-role link --profile NAME --role-arn <RoleArn output>',
  );
}

module.exports = runTemplate;
