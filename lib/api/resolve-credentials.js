'use strict';

const native = require('../native');
const redact = require('../shared/redact');

/**
 * The native `resolveCredentials`, with the credentials it answers redacted for `util.inspect`
 * (see ../shared/redact). What `require('serverless-access-roles').resolveCredentials` is.
 *
 * The native side plans once and answers credentials this process already holds at once;
 * either way the answer is a promise, and every failure a rejection (a malformed argument too).
 *
 * @param {string} app
 * @param {string} stage
 * @param {import('../../index').ResolveOptions} [options]
 * @returns {Promise<import('../../index').AccessRoleCredentials>}
 */
function resolveCredentials(app, stage, options) {
  try {
    return native.resolveCredentials(app, stage, options).then(redact);
  } catch (error) {
    return Promise.reject(error);
  }
}

module.exports = resolveCredentials;
