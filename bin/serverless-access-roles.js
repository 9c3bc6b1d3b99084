#!/usr/bin/env node
'use strict';
// The `serverless-access-roles` command. Each subcommand lives in lib/cli/ and exports a
// function of its arguments that returns the exit status; this file only picks one. Nothing here loads the native addon, so --help and --version work without it.

const { PROGRAM, errorLine, usageFailure } = require('../lib/cli/error-line');

/** The subcommands: the module that runs each, and a line for the usage text. */
const COMMANDS = {
  'credential-process': {
    module: '../lib/cli/credential-process',
    run: 'credentialProcess',
    summary: "the access role's keys as AWS credential_process JSON",
  },
  profiles: {
    module: '../lib/cli/profiles',
    run: 'profiles',
    summary: 'AWS config profiles for every app and stage of the profile store (--write)',
  },
  cache: { module: '../lib/cli/cache', run: 'cache', summary: 'lists or clears the cached keys (list, clear)' },
  doctor: {
    module: '../lib/cli/doctor',
    run: 'doctor',
    summary: 'checks the store, mapping, base identity, assume, cache and AWS config profiles of an app and stage',
  },
  exec: {
    module: '../lib/cli/exec',
    run: 'exec',
    summary: "runs a command with the access role's keys in its environment",
  },
};

const USAGE = `usage: ${PROGRAM} <command> [options]
       ${PROGRAM} <command> --help

commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(20)}${summary}`)
  .join('\n')}

Serverless v4, CDK, Terraform and the aws CLI get an access role's keys from an AWS config
profile that runs this command (\`${PROGRAM} profiles --write\` writes one for every app
and stage). In ~/.aws/config, with absolute paths:

  [profile payments-prod]
  credential_process = /srv/payments/node_modules/.bin/${PROGRAM} credential-process --app payments --stage prod --config /srv/payments/access-roles.yml --aws-profile my-keys

--config names the profile store, since tools run the command in any directory; --aws-profile
names the AWS profile of your own keys (the base identity), when they are not in the default chain.

options:
  -h, --help     this text
  --version      the version
`;

/** The package version, for --version. */
function version() {
  return require('../package.json').version;
}

/** Runs the subcommand named by the first argument and returns the exit status. */
async function main([command, ...args]) {
  if (command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // --version anywhere before a `--` (whatever follows `--` belongs to another command).
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (command === '--version' || (Object.hasOwn(COMMANDS, command ?? '') && own.includes('--version'))) {
    process.stdout.write(`${PROGRAM} ${version()}\n`);
    return 0;
  }
  if (Object.hasOwn(COMMANDS, command ?? '')) {
    const { module, run } = COMMANDS[command];
    return require(module)[run](args);
  }
  const problem = command === undefined ? 'no command given' : `unknown command "${command}"`;
  return usageFailure(USAGE, problem);
}

main(process.argv.slice(2)).then(
  (status) => {
    // exitCode rather than exit(): stdout, a pipe to the AWS SDK, is flushed before node ends.
    process.exitCode = status;
  },
  (err) => {
    // A bug: still one line, never a stack trace on the SDK's stderr.
    process.stderr.write(errorLine(err));
    process.exitCode = 1;
  },
);
