'use strict';
// What `credential-process` and `exec` share: their options (one list, one help text), reading
// them, and resolving the keys with the MFA question on the controlling terminal.

const { parseArgs } = require('node:util');
// Through ../native: a platform without a prebuilt addon gets the error that names it.
const { resolveCredentials } = require('../native');
const takeEnvMfaCode = require('../shared/env-mfa-code');

/** The options' and environment's part of both commands' usage text. */
const OPTIONS_HELP = `options:
  --app APP          the app to look up in the profile store (required)
  --stage STAGE      the stage to look up (required)
  --config PATH      the profile store; default: SERVERLESS_ACCESS_ROLES_CONFIG, then the first
                     access-roles.yml from the current directory upward
  --region REGION    STS region when the profile names none
  --profile PROFILE  AWS config profile of the base identity (the keys that call AssumeRole)
  --mfa-code CODE    the current code of the MFA device, for a profile with mfaSerial; without
                     it the code is asked for on the terminal (once per key lifetime: cached
                     keys need none), or, with no terminal, E_MFA_REQUIRED
  --no-cache         always call STS; do not read or write the disk cache
  -h, --help         this text
  --version          the version

environment:
  SERVERLESS_ACCESS_ROLES_MFA_CODE  the MFA code when --mfa-code is not given (CI)
`;

const OPTIONS = {
  app: { type: 'string' },
  stage: { type: 'string' },
  config: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'mfa-code': { type: 'string' },
  // --no-cache through parseArgs' allowNegative (Node >= 20.16, within `engines`).
  cache: { type: 'boolean', default: true },
  help: { type: 'boolean', short: 'h' },
};

/** A command-line mistake: reported with the usage text and exit status 2. */
class UsageError extends Error {}

/**
 * Reads the command line: the arguments after `credential-process`, or exec's before `--`.
 * @param {string[]} args
 * @returns {{ help: true } | { app: string, stage: string, options: object }}
 */
function parse(args) {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false, allowNegative: true }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) return { help: true };
  for (const name of ['app', 'stage']) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
  }
  const options = { cwd: process.cwd(), cache: values.cache };
  if (values.config !== undefined) options.configPath = values.config;
  if (values.region !== undefined) options.region = values.region;
  if (values.profile !== undefined) options.baseProfile = values.profile;
  // --mfa-code, else the variable (CI); either is used by this one call, and the variable goes.
  const envMfaCode = takeEnvMfaCode();
  const mfaCode = values['mfa-code'] ?? envMfaCode;
  if (mfaCode !== undefined) options.mfaCode = mfaCode;
  return { app: values.app, stage: values.stage, options };
}

/**
 * Resolves the keys; when STS needs an MFA code and none was given, asks for one on the
 * controlling terminal and resolves again. Cached keys need no code, so a person is asked once
 * per key lifetime. Without a terminal, or when the question is cancelled, E_MFA_REQUIRED stands:
 * it names the device and `--mfa-code`.
 */
async function resolveAsking(app, stage, options) {
  try {
    return await resolveCredentials(app, stage, options);
  } catch (err) {
    if (err.code !== 'E_MFA_REQUIRED' || options.mfaCode !== undefined) throw err;
    // Loaded only for the question: the terminal modules cost a credential_process run ~2 ms.
    const terminal = require('./controlling-terminal')();
    if (!terminal) throw err;
    let mfaCode;
    try {
      // The rejection names the device STS wants a code from.
      mfaCode = await require('../shared/ask-mfa-code')(err.mfaSerial, terminal);
    } catch {
      throw err;
    } finally {
      terminal.close();
    }
    return resolveCredentials(app, stage, { ...options, mfaCode });
  }
}

module.exports = { OPTIONS_HELP, UsageError, parse, resolveAsking };
