'use strict';

/**
 * A failure the user can act on, as the framework reports them: `ServerlessError(message, code)`
 * prints the message without a stack trace and records the UPPER_SNAKE code. Frameworks that
 * lack `serverless.classes.Error` get a plain Error carrying the same code.
 *
 * Neither serverless v3 nor osls 4 prints an error's code, so the message ends with it in
 * parentheses, `… (ACCESS_ROLES_MISSING_OPTION)`: what a user can search for, and the key of the
 * README's error tables.
 *
 * @param {object} serverless the framework instance
 * @param {string} message what went wrong and what to do
 * @param {string} code UPPER_SNAKE, prefixed `ACCESS_ROLES_`
 * @returns {Error & { code: string }}
 */
function userError(serverless, message, code) {
  const text = `${message} (${code})`;
  const ServerlessError = serverless.classes && serverless.classes.Error;
  if (ServerlessError) return new ServerlessError(text, code);
  return Object.assign(new Error(text), { code });
}

module.exports = userError;
