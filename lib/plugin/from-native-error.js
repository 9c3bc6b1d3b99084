'use strict';

const userError = require('./user-error');

/**
 * Turns a native rejection (`E_NO_PROFILE`, …) into a user error coded `ACCESS_ROLES_NO_PROFILE`
 * and so on. The native message already says what to do and never holds a secret. Anything
 * else is a bug rather than a user error and is returned unchanged, so its stack survives.
 *
 * @param {object} serverless the framework instance
 * @param {Error & { code?: string }} error
 * @returns {Error}
 */
function fromNativeError(serverless, error) {
  if (typeof error.code !== 'string' || !error.code.startsWith('E_')) return error;
  return userError(serverless, `Access roles: ${error.message}`, `ACCESS_ROLES_${error.code.slice(2)}`);
}

module.exports = fromNativeError;
