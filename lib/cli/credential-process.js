'use strict';
// `serverless-access-roles credential-process`: the access role's keys in the JSON that an AWS
// config's `credential_process` expects, for tools that cannot load the plugin (Serverless v4,
// CDK, Terraform, the aws CLI). See "Sourcing credentials with an external process" in the AWS
// SDKs and Tools Reference Guide for the format.

const fs = require('node:fs');
const { parseArgs } = require('node:util');
const askMfaCode = require('../ask-mfa-code');
const openControllingTerminal = require('./controlling-terminal');
const errorLine = require('./error-line');
// Through ./native: a platform without a prebuilt addon gets the error that names it.
const { resolveCredentials, findProfileStore } = require('../native');
const takeEnvMfaCode = require('../env-mfa-code');

const PROGRAM = 'serverless-access-roles';

const USAGE = `usage: ${PROGRAM} credential-process --app APP --stage STAGE [options]

Prints temporary keys of the access role that the profile store assigns to APP and STAGE,
as AWS credential_process JSON. In ~/.aws/config (\`${PROGRAM} profiles --write\` writes
such a profile for every app and stage), with absolute paths, since tools run it anywhere:

  [profile payments-prod]
  credential_process = /srv/payments/node_modules/.bin/${PROGRAM} credential-process --app payments --stage prod --config /srv/payments/access-roles.yml --profile my-keys

options:
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

// Set for the child processes of a run, so that a base identity whose AWS profile runs this
// same command fails instead of forking forever. The core catches such a loop at once through
// its cache lock; this marker is the backstop where the lock cannot be taken (no usable cache
// directory).
const CHAIN_VARIABLE = 'SERVERLESS_ACCESS_ROLES_CREDENTIAL_PROCESS';

const OPTIONS = {
  app: { type: 'string' },
  stage: { type: 'string' },
  config: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'mfa-code': { type: 'string' },
  // Declared as its own flag rather than through parseArgs' allowNegative, which Node 18 lacks.
  'no-cache': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** A command-line mistake: reported with the usage text and exit status 2. */
class UsageError extends Error {}

/**
 * Reads the command line (the arguments after `credential-process`; `exec` shares the options).
 * @param {string[]} args
 * @returns {{ help: true } | { app: string, stage: string, options: object }}
 */
function parse(args) {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) return { help: true };
  for (const name of ['app', 'stage']) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
  }
  const options = { cwd: process.cwd(), cache: !values['no-cache'] };
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
 * The store this run reads, as the core finds it, with symlinks resolved: one store named
 * relatively or absolutely, or through a link, is one store.
 */
function canonicalStore(options) {
  const store = findProfileStore({ configPath: options.configPath, cwd: options.cwd });
  try {
    if (store.exists) return fs.realpathSync(store.path);
  } catch {
    // Gone since: resolving fails the same way and says why.
  }
  return options.configPath ?? null;
}

/**
 * Marks this run in the environment its children inherit; throws if an outer run of the same
 * app, stage and store already is resolving, which means the base identity loops back here.
 */
function enterChain(app, stage, options) {
  const key = JSON.stringify([app, stage, canonicalStore(options)]);
  const chain = process.env[CHAIN_VARIABLE] ? process.env[CHAIN_VARIABLE].split('\n') : [];
  if (chain.includes(key)) {
    throw Object.assign(
      new Error(
        `name a base identity with its own keys (--profile): the one for app "${app}" stage "${stage}" ` +
          'runs this same command again through credential_process (AWS_PROFILE or the default profile names it)',
      ),
      { code: 'E_CREDENTIAL_PROCESS_LOOP' },
    );
  }
  process.env[CHAIN_VARIABLE] = [...chain, key].join('\n');
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
    const terminal = openControllingTerminal();
    if (!terminal) throw err;
    let mfaCode;
    try {
      // The rejection names the device STS wants a code from.
      mfaCode = await askMfaCode(err.mfaSerial, terminal);
    } catch {
      throw err;
    } finally {
      terminal.close();
    }
    return resolveCredentials(app, stage, { ...options, mfaCode });
  }
}

/**
 * The credential_process document: Version 1 and the four fields the AWS SDKs read.
 * @param {{ accessKeyId: string, secretAccessKey: string, sessionToken: string, expiration: Date }} credentials
 */
function toDocument(credentials) {
  return {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration.toISOString(),
  };
}

/**
 * Runs `credential-process` with `args` and returns the exit status: 0 with the JSON on stdout;
 * 1 with `serverless-access-roles: CODE: message` on stderr when resolving fails; 2 with the
 * usage text for a bad command line.
 * @param {string[]} args the arguments after `credential-process`
 * @returns {Promise<number>}
 */
async function credentialProcess(args) {
  let parsed;
  try {
    parsed = parse(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${PROGRAM}: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    enterChain(parsed.app, parsed.stage, parsed.options);
    const credentials = await resolveAsking(parsed.app, parsed.stage, parsed.options);
    process.stdout.write(`${JSON.stringify(toDocument(credentials))}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(errorLine(err));
    return 1;
  }
}

module.exports = { credentialProcess, resolveAsking, USAGE, parse, UsageError };
