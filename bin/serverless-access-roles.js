#!/usr/bin/env node
'use strict';
// The `serverless-access-roles` command: `credential-process`, for an AWS config's
// `credential_process` line (lib/cli/credential-process.js), `profiles`, which writes such
// lines for every app and stage of the profile store (lib/cli/profiles.js), and `exec`, which runs
// a command on the role's keys (lib/cli/exec.js).

const { credentialProcess, USAGE } = require('../lib/cli/credential-process');

/** Runs the subcommand named by the first argument and returns the exit status. */
async function main([command, ...args]) {
  if (command === 'credential-process') return credentialProcess(args);
  if (command === 'profiles') return require('../lib/cli/profiles').profiles(args);
  if (command === 'exec') return require('../lib/cli/exec').exec(args);
  if (command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const problem = command === undefined ? 'no command given' : `unknown command "${command}"`;
  process.stderr.write(`serverless-access-roles: ${problem}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then((status) => {
  // exitCode rather than exit(): stdout, a pipe to the AWS SDK, is flushed before node ends.
  process.exitCode = status;
});
