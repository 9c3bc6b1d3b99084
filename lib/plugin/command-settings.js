'use strict';

const commandName = require('./command-name');
const readSettings = require('./read-settings');

/**
 * The plugin's settings for the command being run (./read-settings), read on use since
 * variables resolve after the constructor. `--app` is the access-role commands' own; on the
 * framework's commands it is the Dashboard's app (serverless v3 takes it on every AWS command),
 * not a key of the profile store.
 *
 * @param {object} serverless the framework instance
 * @param {Record<string, unknown>} options the CLI options
 * @returns {ReturnType<typeof readSettings>}
 */
function commandSettings(serverless, options) {
  const own = commandName(serverless).startsWith('access-role');
  return readSettings(serverless, own ? options : { ...options, app: undefined });
}

module.exports = commandSettings;
