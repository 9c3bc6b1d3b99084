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

/** `team, env`, or undefined (the row is left out) for an empty list. */
function listOrNone(list) {
  return list && list.length > 0 ? list.join(', ') : undefined;
}

/**
 * `serverless access-role show`: which deployment profile applies to this app and stage, the
 * store rule that chose it and the AssumeRole call it means (role, chain, external id, MFA
 * device, session name, source identity, session tag keys, session policy size), without
 * calling AWS. Rows for what the profile does not use are left out.
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
      ['Chosen by', described.nearStage ? `${described.rule} (stage "${described.nearStage}" is mapped: a typo?)` : described.rule],
      ['Profile', described.profile],
      ['Role', described.roleArn],
      // The hops assumed before the role, in order: the base identity assumes the first.
      ['Via', described.viaRoleArns.length > 0 ? `${described.viaRoleArns.join(' → ')} → the role` : undefined],
      ['External ID', described.externalId],
      ['MFA device', described.mfaSerial || undefined],
      ['Key lifetime', `${described.durationSeconds} s`],
      ['STS region', `${described.region} (from ${described.regionRule})`],
      ['Session name', described.sessionName],
      ['Source identity', described.sourceIdentity || undefined],
      ['Session tags', listOrNone(described.sessionTagKeys)],
      ['Transitive tags', listOrNone(described.transitiveTagKeys)],
      ['Session policy', described.policySize === undefined || described.policySize === null ? undefined : `${described.policySize} characters`],
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
