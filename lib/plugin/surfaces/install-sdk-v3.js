'use strict';

const redact = require('../../shared/redact');

/**
 * Installs the keys on the AWS SDK v3 surface of osls 4.x, if the provider has one.
 *
 * osls builds every client from `provider.getAwsSdkV3Config()`, whose `credentials` is
 * `provider.getAwsSdkV3CredentialsProvider({ profile })` (osls/lib/plugins/aws/provider.js);
 * `invoke local` calls that method directly. Replacing it on this provider instance hands every
 * client an SDK v3 identity provider: async, with `expiration`, resolving again before expiry.
 * A caller naming an AWS `profile` explicitly asked for that profile's keys and still gets them.
 *
 * @param {object} provider the framework's AWS provider
 * @param {ReturnType<import('./refreshing-credentials')>} holder the refreshing credentials
 * @returns {boolean} whether the surface existed
 */
function installSdkV3(provider, holder) {
  const original = provider.getAwsSdkV3CredentialsProvider;
  if (typeof original !== 'function') return false;

  const identityProvider = async () => {
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = await holder.fresh();
    return redact({ accessKeyId, secretAccessKey, sessionToken, expiration });
  };
  // Tells the SDK (and osls) not to wrap it in another memoizer: it already caches and refreshes.
  identityProvider.memoized = true;

  provider.getAwsSdkV3CredentialsProvider = function getAwsSdkV3CredentialsProvider(options = {}) {
    return options.profile ? original.call(this, options) : identityProvider;
  };
  return true;
}

module.exports = installSdkV3;
