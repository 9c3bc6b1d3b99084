'use strict';

/**
 * The command being run as typed, without options: `access-role show`, `info`, `` (none).
 *
 * @param {object} serverless the framework instance
 * @returns {string}
 */
function commandName(serverless) {
  return ((serverless.processedInput && serverless.processedInput.commands) || []).join(' ');
}

module.exports = commandName;
