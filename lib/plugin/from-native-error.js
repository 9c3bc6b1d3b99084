'use strict';

const userError = require('./user-error');
const { withHint } = require('../shared/hint-words');

/**
 * Turns a native rejection (`E_NO_PROFILE`, …) into a user error coded `ACCESS_ROLES_NO_PROFILE`
 * and so on, naming the setting its `hint` points at by the plugin's own flags. The native
 * message says what to do and never holds a secret. Anything else is a bug rather than a user
 * error and is returned unchanged, so its stack survives.
 *
 * @param {object} serverless the framework instance
 * @param {Error & { code?: string }} error
 * @returns {Error}
 */
function fromNativeError(serverless, error) {
  if (typeof error.code !== 'string' || !error.code.startsWith('E_')) return error;
  // The setting the error points at (`error.hint`), named as the plugin's users set it.
  const message = withHint(error, 'plugin');
  return userError(serverless, `Access roles: ${message}`, `ACCESS_ROLES_${error.code.slice(2)}`);
}

module.exports = fromNativeError;
