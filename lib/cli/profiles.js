'use strict';
// `serverless-access-roles profiles`: the AWS config profiles the profile store implies, each a
// `credential_process` line that runs this bin for one app and stage, printed or merged into the
// AWS config file. Which profiles exist, where the AWS config file is and how the merge keeps the
// rest of the file are the core's (crates/core/src/aws_profiles), and so is the command line
// (aws_profiles/command_line.rs, which also recognises it): this file names node and the bin.

const { PROGRAM, errorLine, usageFailure } = require('./error-line');
const readOptions = require('./read-options');
// Through ./native: a platform without a prebuilt addon gets the error that names it.
const native = require('../native');
const sectionsOf = require('../shared/aws-config-sections');
const stagesOf = require('../shared/stage-list');


const USAGE = `usage: ${PROGRAM} profiles [--config PATH] [--prefix PREFIX] [--stages S1,S2] [--write] [--aws-config PATH]

Prints the AWS config profiles the profile store implies: APP-STAGE for each
apps.APP.stages.STAGE, and APP for each apps.APP.defaultProfile. Each runs
\`${PROGRAM} credential-process\` for its app and stage, so Serverless v4, CDK,
Terraform and the aws CLI get the access role's keys:

  ${PROGRAM} profiles --write
  aws sts get-caller-identity --profile payments-dev

options:
  --config PATH      the profile store; default: SERVERLESS_ACCESS_ROLES_CONFIG, then the first
                     access-roles.yml from the current directory upward
  --prefix PREFIX    put PREFIX before every profile name
  --stages S1,S2     also write APP-STAGE for each of these stages that an app does not map,
                     answered by its defaultProfile (or the store's): then
                     \`profile: payments-\${sls:stage}\` works for every stage you deploy
  --write            merge the profiles into the AWS config file, replacing only the block an
                     earlier --write made for this store
  --aws-config PATH  the AWS config file to write; default: AWS_CONFIG_FILE, else ~/.aws/config
  -h, --help         this text
  --version          the version
`;

const OPTIONS = {
  config: { type: 'string' },
  prefix: { type: 'string' },
  stages: { type: 'string' },
  write: { type: 'boolean' },
  'aws-config': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * Runs `profiles` with `args` (the arguments after `profiles`) and returns the exit status: 0, 1
 * with `serverless-access-roles: CODE: message` on stderr, or 2 with the usage text.
 * @param {string[]} args
 * @returns {Promise<number>}
 */
async function profiles(args) {
  const read = readOptions(args, OPTIONS, USAGE);
  if ('status' in read) return read.status;
  const { values } = read;
  if (values['aws-config'] !== undefined && !values.write) {
    return usageFailure(USAGE, '--aws-config is the file --write writes; add --write');
  }
  try {
    const options = { cwd: process.cwd() };
    if (values.config !== undefined) options.configPath = values.config;
    const listing = native.awsConfigProfiles(values.prefix ?? '', options, stagesOf(values.stages));
    for (const skipped of listing.skipped) {
      process.stderr.write(`${PROGRAM}: skipped ${skipped.rule}: ${skipped.reason}\n`);
    }
    const sections = sectionsOf(listing);
    if (!values.write) {
      process.stdout.write(native.renderAwsConfigProfiles(listing.configPath, sections));
      return 0;
    }
    const outcome = native.writeAwsConfigProfiles(listing.configPath, sections, values['aws-config']);
    for (const [stores, what] of [[outcome.replaced, 'Replaced'], [outcome.removed, 'Removed']]) {
      for (const store of stores) process.stdout.write(`${what} the block of ${store} (that store is gone: moved or deleted)\n`);
    }
    for (const name of outcome.kept) {
      process.stderr.write(`${PROGRAM}: kept your own [profile ${name}] in ${outcome.path}; not written\n`);
    }
    const written = sections.map((s) => s.name).filter((name) => !outcome.kept.includes(name));
    const count = `${written.length} profile${written.length === 1 ? '' : 's'}`;
    const names = written.length ? `: ${written.join(', ')}` : '';
    process.stdout.write(outcome.changed ? `Wrote ${count} to ${outcome.path}${names}\n` : `${outcome.path} is up to date, ${count}${names}\n`);
    if (written.length) process.stdout.write(`Try: aws sts get-caller-identity --profile ${written[0]}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(errorLine(err));
    return 1;
  }
}

module.exports = { profiles };
