'use strict';

const { doctorChecks, renderChecks } = require('../../shared/doctor-checks');
const userError = require('../user-error');

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
  const mfaCode = serverless.processedInput?.options?.['mfa-code'];
  if (mfaCode) options.mfaCode = String(mfaCode);
  const framework = `${serverless.version ? `serverless ${serverless.version}` : 'serverless (version unknown)'}`;
  const checks = await doctorChecks(settings.app, settings.stage, options, { framework });
  log.writeText(renderChecks(checks).trimEnd());
  const failures = checks.filter((c) => c.status === 'failure').map((c) => c.check);
  if (failures.length) {
    throw userError(serverless, `access-role doctor: ${failures.join(', ')} failed; see the fixes above`, 'ACCESS_ROLES_DOCTOR_FAILED');
  }
}

module.exports = runDoctor;
