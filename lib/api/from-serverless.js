'use strict';
// An AWS SDK for JavaScript v3 credential provider for the access role of a Serverless service,
// for local plugins and custom hooks: `new S3Client({ credentials: fromServerless(serverless) })`.
// App, stage, region, store and base profile are the plugin's own (../plugin/command-settings),
// never worked out again here.

const commandSettings = require('../plugin/command-settings');
const createRefreshingCredentials = require('../plugin/surfaces/refreshing-credentials');
const fromNativeError = require('../plugin/from-native-error');
const resolveCredentials = require('./resolve-credentials');
const sdkIdentity = require('../shared/sdk-identity');
const userError = require('../plugin/user-error');

/** This package's plugin instance in the running framework, if the service lists it. */
function pluginOf(serverless) {
  const Plugin = require('../plugin');
  const plugins = (serverless.pluginManager && serverless.pluginManager.plugins) || [];
  return plugins.find((plugin) => plugin instanceof Plugin);
}

/**
 * Returns an `AwsCredentialIdentityProvider` for the access role the plugin uses in this
 * Serverless instance: an async function that resolves to
 * `{ accessKeyId, secretAccessKey, sessionToken, expiration, accountId }`.
 *
 * 1. Once the plugin's `asyncInit` has installed keys, the provider answers those keys, and
 *    when their `refreshAt` has come resolves again the way the plugin does (from the base
 *    identity captured before the keys went into the process environment).
 * 2. Before that (another plugin's `asyncInit` or constructor), or when the plugin resolved no
 *    keys (an offline command such as `access-role show`, no profile with `required` off), it
 *    reads the plugin's settings for this command and resolves them: the same app, stage,
 *    region, store and base profile. The keys are then in the process's memory cache, so the
 *    plugin's own resolve makes no second STS call.
 *
 * It never substitutes another identity: with access roles off for the command
 * (`--use-local-credentials`, `enabled: false`, `SERVERLESS_ACCESS_ROLES_DISABLE`) it rejects
 * with `ACCESS_ROLES_DISABLED`; without a profile, with `ACCESS_ROLES_NO_PROFILE` and so on.
 * Rejections are the plugin's user errors, whose message ends with the code. A profile that
 * needs an MFA code is asked for it by the plugin, so call the provider after `asyncInit` there.
 *
 * @param {object} serverless the framework instance a plugin's constructor receives
 * @param {Record<string, unknown>} [options] the CLI options a plugin's constructor receives;
 *   default `serverless.processedInput.options`
 * @returns {() => Promise<{ accessKeyId: string, secretAccessKey: string, sessionToken: string,
 *   expiration: Date, accountId: string }>}
 * @example
 * const sts = new STSClient({ region: serverless.getProvider('aws').getRegion(), credentials: fromServerless(serverless, options) });
 * await sts.send(new GetCallerIdentityCommand({}));
 */
function fromServerless(serverless, options) {
  if (!serverless || typeof serverless !== 'object' || typeof serverless.getProvider !== 'function' || !serverless.service) {
    throw Object.assign(new TypeError('invalid fromServerless: `serverless` must be the framework instance a plugin receives'), {
      code: 'E_INVALID_ARGUMENT',
    });
  }
  let installed = null; // the plugin's keys, once it has them, refreshed as the plugin does
  return async function serverlessAccessRoleProvider() {
    const plugin = pluginOf(serverless);
    if (plugin && plugin.credentials) {
      installed = installed || createRefreshingCredentials(plugin.credentials, plugin.refreshCredentials);
      return sdkIdentity(await installed.fresh());
    }
    const settings = commandSettings(serverless, options || (serverless.processedInput && serverless.processedInput.options) || {});
    if (settings.disabledBy) {
      throw userError(
        serverless,
        `Access roles are off for this command (${settings.disabledBy}), so fromServerless has no access role ` +
          "to give: use the framework's own credentials here, or turn access roles on.",
        'ACCESS_ROLES_DISABLED',
      );
    }
    try {
      return sdkIdentity(await resolveCredentials(settings.app, settings.stage, settings.resolveOptions));
    } catch (error) {
      throw fromNativeError(serverless, error);
    }
  };
}

module.exports = { fromServerless };
