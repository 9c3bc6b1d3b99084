'use strict';
// `serverless-access-roles credential-process`: the access role's keys in the JSON that an AWS
// config's `credential_process` expects, for tools that cannot load the plugin (Serverless v4,
// CDK, Terraform, the aws CLI). See "Sourcing credentials with an external process" in the AWS
// SDKs and Tools Reference Guide for the format.

const fs = require('node:fs');
const { PROGRAM, errorLine } = require('./error-line');
const { OPTIONS_HELP, UsageError, readCommandLine, resolveAsking } = require('./role-args');


const USAGE = `usage: ${PROGRAM} credential-process --app APP --stage STAGE [options]

Prints temporary keys of the access role that the profile store assigns to APP and STAGE,
as AWS credential_process JSON. In ~/.aws/config (\`${PROGRAM} profiles --write\` writes
such a profile for every app and stage), with absolute paths, since tools run it anywhere:

  [profile payments-prod]
  credential_process = /srv/payments/node_modules/.bin/${PROGRAM} credential-process --app payments --stage prod --config /srv/payments/access-roles.yml --aws-profile my-keys

${OPTIONS_HELP}`;

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
  const parsed = readCommandLine(args, USAGE, ({ server }) => {
    if (server) throw new UsageError('--server is an option of exec: credential_process prints keys once');
  });
  if ('status' in parsed) return parsed.status;
  try {
    const credentials = await resolveAsking(parsed.app, parsed.stage, parsed.options, { tell: parsed.verbose });
    // One synchronous write to fd 1: process.stdout would load node's stream modules first,
    // about 2 ms of a warm run (BENCHMARKS.md); the document is far below a pipe's buffer.
    fs.writeSync(1, `${JSON.stringify(toDocument(credentials))}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(errorLine(err));
    return 1;
  }
}

module.exports = { credentialProcess };
