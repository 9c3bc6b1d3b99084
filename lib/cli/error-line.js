'use strict';

/** The bin's name, as every line it prints starts. */
const PROGRAM = 'serverless-access-roles';

/**
 * The one line a command prints on stderr for an error: `serverless-access-roles: CODE: message`.
 * Native errors carry a stable code and a message free of secrets; one without a code is a bug
 * (`E_INTERNAL`). The loader's E_NO_NATIVE_BINDING message names the package first, as it does for
 * `require`; here the line already does.
 * @param {{ code?: string, message: string }} err
 */
function errorLine(err) {
  // The setting a native error points at (`err.hint`), named by this bin's flags.
  const message = require('../shared/hint-words').withHint(err, 'cli').replace(new RegExp(`^${PROGRAM}: `), '');
  return `${PROGRAM}: ${err.code ?? 'E_INTERNAL'}: ${message}\n`;
}

/**
 * Reports a command-line mistake: `serverless-access-roles: message` and the command's usage text
 * on stderr; returns the exit status for it, 2.
 * @param {string} usage the command's usage text
 * @param {string} message what is wrong
 */
function usageFailure(usage, message) {
  process.stderr.write(`${PROGRAM}: ${message}\n\n${usage}`);
  return 2;
}

module.exports = { PROGRAM, errorLine, usageFailure };
