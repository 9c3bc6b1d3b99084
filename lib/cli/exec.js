'use strict';
// `serverless-access-roles exec`: runs one command on the access role's keys, as aws-vault's
// `exec` does, for tools that load no plugin (Serverless v4, CDK, Terraform, scripts). The
// command gets the session environment the plugin exports (the core's sessionEnvironment), so a
// resolve inside it answers the same role without STS and refuses another.

const { spawn } = require('node:child_process');
const os = require('node:os');
// The session's variables come from the core through ../native, whose load error names the platform.
const exportSession = require('../shared/export-session');
const { OPTIONS_HELP, UsageError, readCommandLine, resolveAsking } = require('./role-args');
const { PROGRAM, errorLine } = require('./error-line');


const USAGE = `usage: ${PROGRAM} exec --app APP --stage STAGE [options] -- COMMAND [ARGS...]

Runs COMMAND with the temporary keys of the access role that the profile store assigns to APP
and STAGE in its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION; no AWS_PROFILE):

  ${PROGRAM} exec --app payments --stage prod -- serverless deploy --stage prod

The keys are not renewed: COMMAND must finish before they expire (the profile's
durationSeconds, one hour by default). For longer commands, use a credential_process profile.

${OPTIONS_HELP}
Exits with COMMAND's status, or 128 + the signal number when a signal ended it.
`;

/** Signals passed on to the command, as a terminal or a process manager sends them to exec. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Whether a signal exec received still has to reach the command. A Ctrl-C at a terminal signals
 * the whole foreground process group, the command included: passing it on as well would make
 * one Ctrl-C two, which tools such as terraform take as "stop now, without cleaning up".
 */
function needsForwarding(signal) {
  return !(signal === 'SIGINT' && process.stdin.isTTY);
}

/** The environment of COMMAND: this process's, with the session's variables applied. */
function commandEnvironment(credentials) {
  const env = { ...process.env };
  exportSession(credentials, env);
  return env;
}

/**
 * Runs `command` with `env`, stdio passed through and the forwarded signals passed on; resolves
 * with exec's exit status once it has ended.
 */
function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const forward = Object.fromEntries(
      FORWARDED.map((signal) => [signal, () => needsForwarding(signal) && child.kill(signal)]),
    );
    for (const [signal, handler] of Object.entries(forward)) process.on(signal, handler);
    const done = (status) => {
      for (const [signal, handler] of Object.entries(forward)) process.off(signal, handler);
      resolve(status);
    };
    child.once('error', (err) => {
      // Never started: not found (127) or not runnable (126), as shells say.
      const code = err.code === 'ENOENT' ? 'E_COMMAND_NOT_FOUND' : 'E_COMMAND_FAILED';
      process.stderr.write(`${PROGRAM}: ${code}: cannot run "${command}": ${err.message}\n`);
      done(err.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (status, signal) => done(signal ? 128 + (os.constants.signals[signal] ?? 0) : status));
  });
}

/**
 * Runs `exec` with `args` and returns the exit status: COMMAND's, or 128 + signal; 1 with
 * `serverless-access-roles: CODE: message` on stderr when resolving fails (COMMAND does not
 * start); 2 with the usage text for a bad command line.
 * @param {string[]} args the arguments after `exec`
 * @returns {Promise<number>}
 */
async function exec(args) {
  const split = args.indexOf('--');
  const own = split === -1 ? args : args.slice(0, split);
  const [command, ...commandArgs] = split === -1 ? [] : args.slice(split + 1);
  const parsed = readCommandLine(own, USAGE, () => {
    if (!command) throw new UsageError('no command given: put it after --');
  });
  if ('status' in parsed) return parsed.status;
  let env;
  try {
    env = commandEnvironment(await resolveAsking(parsed.app, parsed.stage, parsed.options, { tell: !parsed.quiet }));
  } catch (err) {
    process.stderr.write(errorLine(err));
    return 1;
  }
  return run(command, commandArgs, env);
}

module.exports = { exec };
