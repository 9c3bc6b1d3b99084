'use strict';

const boundaryInputs = require('../steps/boundary-inputs');
const callerPrincipal = require('../steps/caller-principal');
const roleInputs = require('../steps/role-inputs');
const roleTemplate = require('../steps/role-template');
const sessionTrustNeeds = require('../session-trust-needs');

/** The caller's account and partition, for the role ARN the stack will create; null if unknown. */
async function callerAccount(serverless) {
  try {
    const { accountId, partition } = await serverless.getProvider('aws').getAccountInfo();
    return accountId ? { accountId, partition: partition || 'aws' } : null;
  } catch {
    return null;
  }
}

/**
 * `serverless access-role template [--principal ARN] [--external-id X] [--role-name N]
 * [--permissions-boundary ARN [--role-prefix P]]`:
 * prints, on stdout, a CloudFormation template for the access role (see deploy-role-template),
 * its options checked first by `link`'s rules (./role-inputs). When a deployment profile already
 * applies to this app and stage and sets session tags or a source identity, the trust policy
 * allows `sts:TagSession` / `sts:SetSourceIdentity` too; when it is chained with `via`, the role
 * before it is the principal trusted. The closing hint names the stack (named as `link --create`
 * names it, ./role-names), the ARN of the role it will create, and the exact `link` command.
 *
 * @param {import('..')} plugin
 */
async function runTemplate(plugin) {
  const { serverless, options, log } = plugin;
  // The role's and the stack's names by the one table of defaults (./role-names).
  const { principal: givenPrincipal, roleName, stackName } = roleInputs(serverless, options);
  const externalId = options['external-id'];
  const settings = plugin.settings();
  const boundary = boundaryInputs(serverless, options, settings, roleName);
  const needs = sessionTrustNeeds(serverless, settings);
  // A chained profile's role is assumed with the keys of the role before it, not the caller's.
  const principalArn = givenPrincipal || needs.viaRoleArn || (await callerPrincipal(plugin)).principal;
  const { body, extras } = roleTemplate({ principalArn, externalId, roleName, needs, boundary });
  if (needs.profile && extras.length > 0) {
    log.notice(`The trust policy allows ${extras.join(' and ')}, as profile "${needs.profile}" sends them.`);
  }
  log.writeText(body.trimEnd());

  const account = await callerAccount(serverless);
  const roleArn = account ? `arn:${account.partition}:iam::${account.accountId}:role/${roleName}` : `arn:aws:iam::ACCOUNT:role/${roleName}`;
  const linkOptions = `${options.stage ? ` --stage ${options.stage}` : ''}${externalId ? ` --external-id ${externalId}` : ''}`;
  log.notice(
    [
      `Deploy it: aws cloudformation deploy --template-file role.yml --stack-name ${stackName} --capabilities CAPABILITY_NAMED_IAM`,
      `It creates the role ${roleArn}; then link it: serverless access-role link --profile NAME --role-arn ${roleArn}${linkOptions}`,
      `(Or both in one step: serverless access-role link --create --profile NAME --role-name ${roleName}${linkOptions}` +
        `${givenPrincipal ? ` --principal ${givenPrincipal}` : ''}` +
        `${boundary.permissionsBoundary ? ` --permissions-boundary ${boundary.permissionsBoundary} --role-prefix ${boundary.rolePrefix}` : ''})`,
    ].join('\n'),
  );
}

module.exports = runTemplate;
