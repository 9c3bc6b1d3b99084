'use strict';

const redact = require('../../shared/redact');

/** `provider.sdk` (the AWS SDK v2), or undefined where it is gone: osls 4 makes it a throwing getter. */
function sdkV2Of(provider) {
  try {
    const sdk = provider.sdk;
    return sdk && typeof sdk.Credentials === 'function' ? sdk : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs the keys on the AWS SDK v2 surface of Serverless 1.x–3.x, if the provider has one.
 *
 * The framework reads `provider.cachedCredentials` first in `getCredentials()` and spreads it
 * into every SDK v2 client it builds (serverless/lib/plugins/aws/provider.js). It must hold an
 * `AWS.Credentials`, not flat key fields: only that object refreshes (the SDK calls `refresh()`
 * when `needsRefresh()` says `expireTime` is near), and `invoke local` reads `.credentials`.
 *
 * @param {object} provider the framework's AWS provider
 * @param {ReturnType<import('./refreshing-credentials')>} holder the refreshing credentials
 * @returns {boolean} whether the surface existed
 */
function installSdkV2(provider, holder) {
  const AWS = sdkV2Of(provider);
  if (!AWS) return false;

  const initial = holder.current();
  // Redacted: `--debug` and error dumps may inspect the provider and what it holds.
  const credentials = redact(new AWS.Credentials(initial.accessKeyId, initial.secretAccessKey, initial.sessionToken));
  const apply = (next) => {
    credentials.accessKeyId = next.accessKeyId;
    credentials.secretAccessKey = next.secretAccessKey;
    credentials.sessionToken = next.sessionToken;
    credentials.expireTime = next.expiration;
    // The SDK refreshes `expiryWindow` seconds before `expireTime` (its default is 15 s): from
    // `refreshAt`, as the SDK v3 surface and the native cache do.
    credentials.expiryWindow = Math.max(0, (next.expiration.getTime() - next.refreshAt.getTime()) / 1000);
    credentials.expired = false;
  };
  apply(initial);
  // Callback style, as AWS.Credentials#refresh is; `get()` clears `expired` after success.
  credentials.refresh = (callback = () => {}) => {
    holder.refresh().then((next) => {
      apply(next);
      callback();
    }, callback);
  };

  provider.cachedCredentials = { credentials, region: provider.getRegion() };
  return true;
}

module.exports = installSdkV2;
