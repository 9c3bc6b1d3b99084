'use strict';
// `serverless-access-roles doctor`: checks the whole path from the profile store to the role's
// keys in one go, one line each (../shared/doctor-checks.js asks the core); exits 1 when a
// check fails. `--json` prints the same checks as data, for CI.

const { PROGRAM, usageFailure } = require('./error-line');
const readOptions = require('./read-options');
const { doctorChecks, renderChecks } = require('../shared/doctor-checks');
const stagesOf = require('../shared/stage-list');

const USAGE = `usage: ${PROGRAM} doctor --app APP --stage STAGE [--config PATH] [--aws-profile PROFILE] [--prefix PREFIX] [--stages S1,S2] [--json]

Checks, one line each (ok, warning, failure, and the fix): the profile store, the mapping of APP
and STAGE (and near misses of mapped stages), the base identity (GetCallerIdentity) and whether
it already is the role, the assume itself, the cache directory, the AWS config profiles
\`profiles --write\` wrote, the versions, and a session marker in the environment. Exits 1 when a
check fails. The assume is a real AssumeRole call (its keys are cached as any resolve's).

options:
  --app APP              the app to look up in the profile store (required)
  --stage STAGE          the stage to look up (required)
  --config PATH          the profile store; default: SERVERLESS_ACCESS_ROLES_CONFIG, then the
                         first access-roles.yml from the current directory upward
  --aws-profile PROFILE  AWS config profile of the base identity
  --region REGION        STS region when the profile names none
  --mfa-code CODE        the MFA device's current code, for a profile with mfaSerial
  --aws-config PATH      the AWS config file to compare; default: AWS_CONFIG_FILE, else ~/.aws/config
  --prefix PREFIX        the --prefix given to \`profiles --write\`
  --stages S1,S2         the --stages given to \`profiles --write\`
  --json                 the checks as a JSON array on stdout
  -h, --help             this text
`;

const OPTIONS = {
  app: { type: 'string' },
  stage: { type: 'string' },
  config: { type: 'string' },
  'aws-profile': { type: 'string' },
  region: { type: 'string' },
  'mfa-code': { type: 'string' },
  'aws-config': { type: 'string' },
  prefix: { type: 'string' },
  stages: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * Runs `doctor` with `args` and returns the exit status: 0 when no check failed, 1 when one did,
 * 2 with the usage text for a bad command line.
 * @param {string[]} args the arguments after `doctor`
 * @returns {Promise<number>}
 */
async function doctor(args) {
  const read = readOptions(args, OPTIONS, USAGE);
  if ('status' in read) return read.status;
  const { values } = read;
  for (const name of ['app', 'stage']) {
    if (!values[name]) return usageFailure(USAGE, `--${name} is required`);
  }
  const options = { cwd: process.cwd() };
  if (values.config !== undefined) options.configPath = values.config;
  if (values['aws-profile'] !== undefined) options.baseProfile = values['aws-profile'];
  if (values.region !== undefined) options.region = values.region;
  if (values['mfa-code'] !== undefined) options.mfaCode = values['mfa-code'];
  if (values['aws-config'] !== undefined) options.awsConfigPath = values['aws-config'];
  if (values.prefix !== undefined) options.profilesPrefix = values.prefix;
  options.profilesStages = stagesOf(values.stages);
  const checks = await doctorChecks(values.app, values.stage, options);
  process.stdout.write(values.json ? `${JSON.stringify(checks, null, 2)}\n` : renderChecks(checks));
  return checks.some((c) => c.status === 'failure') ? 1 : 0;
}

module.exports = { doctor };
