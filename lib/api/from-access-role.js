'use strict';
// An AWS SDK for JavaScript v3 credential provider for the access role of an app and stage, for
// scripts and custom hooks: `new S3Client({ credentials: fromAccessRole({ app, stage }) })`.

const resolveCredentials = require('./resolve-credentials');
const sdkIdentity = require('../shared/sdk-identity');

/**
 * Returns an `AwsCredentialIdentityProvider`: an async function that resolves to the access
 * role's `{ accessKeyId, secretAccessKey, sessionToken, expiration, accountId }`.
 *
 * Each call asks `resolveCredentials`, whose memory cache answers repeat calls without STS and
 * with one STS call shared by concurrent ones, and assumes the role again once the
 * credentials' `refreshAt` has come (the core's refresh rule). So one provider, or many
 * built with the same options, can back any number of clients. SDK clients also keep the
 * identity themselves until shortly before `expiration`. With `cache: false` every call that
 * reaches the provider calls STS.
 *
 * Rejections are the `resolveCredentials` errors, unchanged: `error.code` is `E_ACCESS_DENIED`
 * and so on.
 *
 * @param {{ app: string, stage: string } & import('../../binding').ResolveOptions} init the app and
 *   stage to look up, and any `resolveCredentials` options (configPath, cwd, region,
 *   baseProfile, service, cache, refreshMarginSeconds, cacheDir, …)
 * @returns {() => Promise<{ accessKeyId: string, secretAccessKey: string, sessionToken: string,
 *   expiration: Date, accountId: string }>}
 * @example
 * const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
 * const sts = new STSClient({ credentials: fromAccessRole({ app: 'payments', stage: 'prod' }) });
 * await sts.send(new GetCallerIdentityCommand({}));
 */
function fromAccessRole({ app, stage, ...options } = {}) {
  if (typeof app !== 'string' || typeof stage !== 'string') {
    throw Object.assign(new TypeError('invalid fromAccessRole: `app` and `stage` must be strings'), {
      code: 'E_INVALID_ARGUMENT',
    });
  }
  return async function accessRoleProvider() {
    return sdkIdentity(await resolveCredentials(app, stage, options));
  };
}

module.exports = { fromAccessRole };
