'use strict';

const { describeProfile } = require('../../native');
const formatFields = require('../format-fields');
const fromNativeError = require('../from-native-error');

/** Where the app key came from, in the words of serverless.yml. */
const APP_SOURCES = {
  '--app': '--app',
  'custom.accessRoles.app': 'custom.accessRoles.app',
  'app': 'top-level app',
  'service': 'service name',
};

/**
 * `serverless access-role show`: which deployment profile applies to this app and stage, the
 * store rule that chose it and the AssumeRole call it means, without calling AWS.
 *
 * @param {import('..')} plugin
 */
function runShow(plugin) {
  const { serverless, log } = plugin;
  const settings = plugin.settings();
  let described;
  try {
    described = describeProfile(settings.app, settings.stage, settings.resolveOptions);
  } catch (error) {
    throw fromNativeError(serverless, error);
  }
  log.writeText(
    formatFields([
      ['Profile store', described.configPath],
      ['App', `${settings.app} (${APP_SOURCES[settings.appSource]})`],
      ['Stage', settings.stage],
      ['Chosen by', described.rule],
      ['Profile', described.profile],
      ['Role', described.roleArn],
      ['External ID', described.externalId],
      ['Key lifetime', `${described.durationSeconds} s`],
      ['STS region', described.region || settings.region],
      ['Session name', described.sessionName],
      ['Base identity', described.baseProfile ? `AWS profile "${described.baseProfile}"` : 'AWS default credential chain'],
      ['Status', settings.disabledBy ? `off for this command (${settings.disabledBy})` : 'on'],
      [
        'Environment',
        settings.exportEnv
          ? 'exported: other plugins\' SDK clients and child processes run on the role'
          : 'not exported (custom.accessRoles.exportEnv: false): only the framework\'s own client uses the role',
      ],
    ]),
  );
}

module.exports = runShow;
