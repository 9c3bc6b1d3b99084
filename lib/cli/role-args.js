'use strict';
// What `credential-process` and `exec` share: their options (one list, one help text), reading
// them (with --help and usage mistakes answered), and resolving the keys with the MFA question on
// the controlling terminal.

const { parseArgs } = require('node:util');
const { PROGRAM, usageFailure } = require('./error-line');
const { nearStageWarning, resolvedLine } = require('../shared/describe-resolve');
// Through ../native: a platform without a prebuilt addon gets the error that names it.
const { resolveCredentials } = require('../native');
const takeEnvMfaCode = require('../shared/env-mfa-code');
const resolveWithMfa = require('../shared/resolve-with-mfa');

/** The options' and environment's part of both commands' usage text. */
const OPTIONS_HELP = `options:
  --app APP          the app to look up in the profile store (required)
  --stage STAGE      the stage to look up (required)
  --config PATH      the profile store; default: SERVERLESS_ACCESS_ROLES_CONFIG, then the first
                     access-roles.yml from the current directory upward
  --region REGION    STS region when the profile names none
  --aws-profile PROFILE
                     AWS config profile of the base identity (the keys that call AssumeRole)
  --mfa-code CODE    the current code of the MFA device, for a profile with mfaSerial; without
                     it the code is asked for on the terminal (once per key lifetime: cached
                     keys need none), or, with no terminal, E_MFA_REQUIRED
  --no-cache         always call STS; do not read or write the disk cache
  --server           exec: serve the keys to COMMAND from a local endpoint that renews them
                     (AWS_CONTAINER_CREDENTIALS_FULL_URI) instead of key variables
  --quiet            exec: no line saying which profile, role and base identity are used
  --verbose          credential-process: that line on stderr (exec prints it by default)
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
  'aws-profile': { type: 'string' },
  'mfa-code': { type: 'string' },
  // --no-cache through parseArgs' allowNegative (Node >= 20.16, within `engines`).
  cache: { type: 'boolean', default: true },
  quiet: { type: 'boolean' },
  server: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * A command-line mistake: reported with the usage text and exit status 2. `positional` is the
 * index in the arguments of the first one that is not an option, when that was the mistake.
 */
class UsageError extends Error {
  constructor(message, { positional } = {}) {
    super(message);
    this.positional = positional;
  }
}

/** The index of the first argument that is neither an option nor an option's value, if any. */
function firstPositional(args) {
  const { tokens } = parseArgs({ args, options: OPTIONS, strict: false, allowPositionals: true, allowNegative: true, tokens: true });
  return tokens.find((token) => token.kind === 'positional')?.index;
}

/**
 * Reads the command line: the arguments after `credential-process`, or exec's before `--`.
 * @param {string[]} args
 * @returns {{ help: true } | { app: string, stage: string, options: object, quiet: boolean, verbose: boolean, server: boolean }}
 */
function parse(args) {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false, allowNegative: true }));
  } catch (err) {
    const positional = err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? firstPositional(args) : undefined;
    throw new UsageError(err.message, { positional });
  }
  if (values.help) return { help: true };
  for (const name of ['app', 'stage']) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
  }
  const options = { cwd: process.cwd(), cache: values.cache };
  if (values.config !== undefined) options.configPath = values.config;
  if (values.region !== undefined) options.region = values.region;
  if (values['aws-profile'] !== undefined) options.baseProfile = values['aws-profile'];
  // --mfa-code, else the variable (CI); either is used by this one call, and the variable goes.
  const envMfaCode = takeEnvMfaCode();
  const mfaCode = values['mfa-code'] ?? envMfaCode;
  if (mfaCode !== undefined) options.mfaCode = mfaCode;
  return {
    app: values.app,
    stage: values.stage,
    options,
    quiet: Boolean(values.quiet),
    verbose: Boolean(values.verbose),
    server: Boolean(values.server),
  };
}

/**
 * Reads the command line as `parse` does and answers what needs no keys: `--help` (the usage on
 * stdout, status 0) and a mistake (the mistake and the usage on stderr, status 2), returned as
 * `{ status }`. `check(parsed)` may throw a UsageError for what only the command knows. When the
 * mistake is an argument that is no option and `positional(index)` gives a line for it, that
 * line alone is the answer (exec: the command's `--` left out), with status 2.
 * @param {string[]} args
 * @param {string} usage the command's usage text
 * @param {(parsed: { app: string, stage: string, options: object }) => void} [check]
 * @param {(index: number) => string | undefined} [positional]
 * @returns {{ status: number } | { app: string, stage: string, options: object }}
 */
function readCommandLine(args, usage, check = () => {}, positional = () => undefined) {
  let parsed;
  try {
    parsed = parse(args);
    if (!parsed.help) check(parsed);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const line = err.positional === undefined ? undefined : positional(err.positional);
    if (line) {
      process.stderr.write(`${PROGRAM}: ${line}\n`);
      return { status: 2 };
    }
    return { status: usageFailure(usage, err.message) };
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return { status: 0 };
  }
  return parsed;
}

/**
 * Asks for the code of the device that `error` (E_MFA_REQUIRED) names on the controlling
 * terminal: an AWS SDK runs a credential_process with stdin and stdout as pipes. Rejects when there
 * is none (CI, a service). Its modules load only for the question: ~2 ms of every run otherwise.
 */
async function askOnControllingTerminal(error) {
  const terminal = require('./controlling-terminal')();
  if (!terminal) throw new Error('no controlling terminal');
  try {
    return await require('../shared/ask-mfa-code')(error.mfaSerial, terminal);
  } finally {
    terminal.close();
  }
}

/**
 * Resolves the keys, asking for an MFA code on the controlling terminal when STS needs one and
 * none was given (../shared/resolve-with-mfa). Without a terminal, or when the question is
 * cancelled, E_MFA_REQUIRED stands: it names the device and `--mfa-code`. A stage that a
 * default answered and that is a near miss of a mapped stage is warned about on stderr, always;
 * with `tell`, so is which profile, role and base identity answered.
 */
async function resolveAsking(app, stage, options, { tell = false } = {}) {
  const credentials = await resolveWithMfa((extra) => resolveCredentials(app, stage, { ...options, ...extra }), {
    mfaCode: options.mfaCode,
    ask: askOnControllingTerminal,
  });
  const warning = nearStageWarning(app, stage, credentials);
  if (warning) process.stderr.write(`${PROGRAM}: warning: ${warning}\n`);
  if (tell) {
    // A session marker that did not prove itself is said, as the plugin's debug line does.
    if (credentials.sessionIgnored) process.stderr.write(`${PROGRAM}: ${credentials.sessionIgnored}\n`);
    process.stderr.write(`${PROGRAM}: ${resolvedLine(app, stage, credentials, 'cli')}\n`);
  }
  return credentials;
}

module.exports = { OPTIONS_HELP, UsageError, readCommandLine, resolveAsking };
