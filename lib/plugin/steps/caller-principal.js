'use strict';

const { iamPrincipal } = require('../../native');
const userError = require('../user-error');

/**
 * The caller's own identity, asked through the framework's client on the framework's own
 * credentials (asyncInit installs no access role for the `template` and `link` commands), and
 * the principal a trust policy would name for it: an assumed-role session becomes its role.
 *
 * @param {import('..')} plugin
 * @returns {Promise<{ arn: string, principal: string }>}
 * @throws ACCESS_ROLES_NO_PRINCIPAL when the framework cannot tell who the caller is
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
  // A session's role is what a trust policy names (the core's ARN rules).
  const parsed = iamPrincipal(String(arn));
  if (!parsed || parsed.kind !== 'assumed-role') return { arn, principal: arn };
  log.warning(
    `You are signed in through role ${parsed.name}; the template trusts ${parsed.trustedArn}. ` +
      'If that role has a path (SSO roles do), pass its full ARN with --principal.',
  );
  return { arn, principal: parsed.trustedArn };
}

module.exports = callerPrincipal;
