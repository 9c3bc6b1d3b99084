'use strict';

const { doctorChecks, renderChecks } = require('../../shared/doctor-checks');
const userError = require('../user-error');
const stagesOf = require('../../shared/stage-list');

/**
 * `serverless access-role doctor`: the checks of ../../shared/doctor-checks.js for this
 * service's app and stage, with the framework's settings (store, base profile, region), one line
 * each; fails (exit 1) when a check fails.
 *
 * @param {import('..')} plugin
 */
async function runDoctor(plugin) {
  const { serverless, log } = plugin;
  const settings = plugin.settings();
  const options = { ...settings.resolveOptions };
  const given = serverless.processedInput?.options ?? {};
  if (given['mfa-code']) options.mfaCode = String(given['mfa-code']);
  if (given.prefix !== undefined) options.profilesPrefix = String(given.prefix);
  if (given.stages !== undefined) options.profilesStages = stagesOf(String(given.stages));
  const framework = `${serverless.version ? `serverless ${serverless.version}` : 'serverless (version unknown)'}`;
  const checks = await doctorChecks(settings.app, settings.stage, options, { framework });
  log.writeText(renderChecks(checks).trimEnd());
  const failures = checks.filter((c) => c.status === 'failure').map((c) => c.check);
  if (failures.length) {
    throw userError(serverless, `access-role doctor: ${failures.join(', ')} failed; see the fixes above`, 'ACCESS_ROLES_DOCTOR_FAILED');
  }
}

module.exports = runDoctor;
