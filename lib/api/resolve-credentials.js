'use strict';

const native = require('../native');
const redact = require('./redact');

/**
 * The native `resolveCredentials`, with the keys it answers redacted for `util.inspect` (see
 * ./redact). What `require('serverless-access-roles').resolveCredentials` is.
 *
 * Keys this process already holds are answered by the synchronous `cachedCredentials`, which
 * spares the round trip through the addon's async runtime; everything else goes to the native
 * `resolveCredentials`. Either way the answer is a promise, and every failure a rejection.
 *
 * @param {string} app
 * @param {string} stage
 * @param {import('../../index').ResolveOptions} [options]
 * @returns {Promise<import('../../index').AccessRoleCredentials>}
 */
function resolveCredentials(app, stage, options) {
  try {
    const held = native.cachedCredentials(app, stage, options);
    if (held) return Promise.resolve(redact(held));
    return native.resolveCredentials(app, stage, options).then(redact);
  } catch (error) {
    return Promise.reject(error);
  }
}

module.exports = resolveCredentials;
