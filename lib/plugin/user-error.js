'use strict';

/**
 * A failure the user can act on, as the framework reports them: `ServerlessError(message, code)`
 * prints the message without a stack trace and records the UPPER_SNAKE code. Frameworks that
 * lack `serverless.classes.Error` get a plain Error carrying the same code.
 *
 * @param {object} serverless the framework instance
 * @param {string} message what went wrong and what to do
 * @param {string} code UPPER_SNAKE, prefixed `ACCESS_ROLES_`
 * @returns {Error & { code: string }}
 */
function userError(serverless, message, code) {
  const ServerlessError = serverless.classes && serverless.classes.Error;
  if (ServerlessError) return new ServerlessError(message, code);
  return Object.assign(new Error(message), { code });
}

module.exports = userError;
