'use strict';

const { iamPrincipal } = require('../native');
const redact = require('./redact');

/**
 * The AWS SDK for JavaScript v3 identity of an access role's credentials:
 * `{ accessKeyId, secretAccessKey, sessionToken, expiration, accountId }`, redacted for
 * `util.inspect` (./redact). What the credential providers of this package resolve to.
 *
 * @param {import('../../index').AccessRoleCredentials} credentials
 * @returns {{ accessKeyId: string, secretAccessKey: string, sessionToken: string,
 *   expiration: Date, accountId: string }}
 */
function sdkIdentity(credentials) {
  return redact({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration,
    // The SDK routes some services (DynamoDB) by account: the session's, by the core's ARN rules.
    accountId: iamPrincipal(credentials.assumedRoleArn)?.account,
  });
}

module.exports = sdkIdentity;
