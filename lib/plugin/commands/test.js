'use strict';

const formatFields = require('../format-fields');
const userError = require('../user-error');

/** What `source` says about where the keys came from, for sources other than STS. */
const KEY_SOURCES = { cache: 'cache', session: 'the session in this environment (an outer plugin or exec)' };

/** Asks STS who the caller is through the framework's own client, on whatever keys it uses. */
async function callerArn(provider) {
  // Both Serverless v3 and osls memoize getAccountInfo() around their own STS client.
  if (typeof provider.getAccountInfo === 'function') return (await provider.getAccountInfo()).arn;
  return (await provider.request('STS', 'getCallerIdentity', {})).Arn;
}

/** "in 59 min", "12 s ago": how far an instant is from now. */
function fromNow(date) {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const span = Math.abs(seconds) >= 120 ? `${Math.round(Math.abs(seconds) / 60)} min` : `${Math.abs(seconds)} s`;
  return seconds >= 0 ? `in ${span}` : `${span} ago`;
}

/**
 * `serverless access-role test`: proves the configuration end to end. asyncInit has assumed the
 * role and installed the keys (failing if no profile applies); this calls GetCallerIdentity
 * through the framework's own client, so it also proves the framework really uses those keys,
 * and prints profile, role, assumed identity and expiry.
 *
 * @param {import('..')} plugin
 */
async function runTest(plugin) {
  const { serverless, log } = plugin;
  const keys = plugin.credentials;
  if (!keys) {
    // Only an opt-out leaves asyncInit without keys for this command.
    throw userError(
      serverless,
      'Access roles are off for this command, so there is nothing to test. Drop ' +
        '--use-local-credentials / SERVERLESS_ACCESS_ROLES_DISABLE / custom.accessRoles.enabled: false.',
      'ACCESS_ROLES_DISABLED',
    );
  }
  const arn = await callerArn(serverless.getProvider('aws'));
  log.writeText(
    formatFields([
      ['Profile', keys.profile],
      ['Role', keys.roleArn],
      ['Assumed identity', arn],
      ['Keys expire', `${keys.expiration.toISOString()} (${fromNow(keys.expiration)})`],
      ['Keys from', KEY_SOURCES[keys.source] || `STS AssumeRole in ${keys.region}`],
    ]),
  );
  if (arn !== keys.assumedRoleArn) {
    throw userError(
      serverless,
      `The framework's AWS calls run as ${arn}, not as the assumed role ${keys.assumedRoleArn}: ` +
        'another plugin replaced the credentials. Check the plugins listed before serverless-access-roles.',
      'ACCESS_ROLES_NOT_IN_USE',
    );
  }
  log.notice('The framework uses the access role.');
}

module.exports = runTest;
