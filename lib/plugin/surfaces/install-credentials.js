'use strict';

const createRefreshingCredentials = require('./refreshing-credentials');
const installSdkV2 = require('./install-sdk-v2');
const installSdkV3 = require('./install-sdk-v3');
const userError = require('../user-error');

/**
 * Makes the framework's AWS calls use the access role's keys, on every credential surface the
 * running framework has, found by capability rather than version: SDK v2's `cachedCredentials`
 * (Serverless 1.x–3.x) and SDK v3's `getAwsSdkV3CredentialsProvider()` (osls 4.x).
 *
 * @param {object} serverless the framework instance
 * @param {import('../../index').AccessRoleCredentials} initial keys already resolved
 * @param {() => Promise<import('../../index').AccessRoleCredentials>} resolveAgain resolves again
 * @returns {string[]} the surfaces installed, e.g. `['sdk-v2']`
 */
function installCredentials(serverless, initial, resolveAgain) {
  const provider = serverless.getProvider('aws');
  const holder = createRefreshingCredentials(initial, resolveAgain);
  const surfaces = [];
  if (installSdkV3(provider, holder)) surfaces.push('sdk-v3');
  if (installSdkV2(provider, holder)) surfaces.push('sdk-v2');
  if (surfaces.length === 0) {
    throw userError(
      serverless,
      'serverless-access-roles found neither AWS credential surface it knows in this framework ' +
        '(provider.sdk with cachedCredentials, or provider.getAwsSdkV3CredentialsProvider()). ' +
        'Use Serverless Framework 3 or osls 4, or turn the plugin off with --use-local-credentials.',
      'ACCESS_ROLES_UNSUPPORTED_FRAMEWORK',
    );
  }
  return surfaces;
}

module.exports = installCredentials;
