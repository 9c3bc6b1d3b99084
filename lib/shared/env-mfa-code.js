'use strict';
// The MFA code for runs without a person at a terminal (CI), shared by the plugin and the bin.
// The native core takes a code only as an argument and reads no variable for it.

/** The variable, documented in the README. */
const MFA_CODE_ENV = 'SERVERLESS_ACCESS_ROLES_MFA_CODE';

/**
 * The code in `SERVERLESS_ACCESS_ROLES_MFA_CODE`, taken out of the environment: a code is spent
 * by one STS call, so neither a later refresh nor a child process may send it again.
 *
 * @returns {string | undefined}
 */
function takeEnvMfaCode() {
  const code = (process.env[MFA_CODE_ENV] || '').trim();
  delete process.env[MFA_CODE_ENV];
  return code || undefined;
}

module.exports = takeEnvMfaCode;
