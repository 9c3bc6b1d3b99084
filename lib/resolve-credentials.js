'use strict';

const native = require('./native');
const redact = require('./redact');

/**
 * The native `resolveCredentials`, with the keys it answers redacted for `util.inspect` (see
 * ./redact). What `require('serverless-access-roles').resolveCredentials` is.
 *
 * @param {string} app
 * @param {string} stage
 * @param {import('../index').ResolveOptions} [options]
 * @returns {Promise<import('../index').AccessRoleCredentials>}
 */
async function resolveCredentials(app, stage, options) {
  return redact(await native.resolveCredentials(app, stage, options));
}

module.exports = resolveCredentials;
