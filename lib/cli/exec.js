'use strict';
// `serverless-access-roles exec`: runs one command on the access role's keys, as aws-vault's
// `exec` does, for tools that load no plugin (Serverless v4, CDK, Terraform, scripts). The
// command gets the session environment the plugin exports (the core's sessionEnvironment), so a
// resolve inside it answers the same role without STS and refuses another.

const os = require('node:os');
// cross-spawn: on Windows, finds COMMAND through PATHEXT and runs .cmd/.bat shims (serverless,
// cdk, npx) through cmd.exe with their arguments escaped, where a bare spawn finds only .exe/.com
// and refuses batch files with EINVAL. Elsewhere it is child_process.spawn.
const crossSpawn = require('cross-spawn');
// The session's variables come from the core through ../native, whose load error names the platform.
const native = require('../native');
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

/**
 * The signals exec listens for on `platform` while COMMAND runs, and which of them it passes on.
 * POSIX: SIGINT, SIGTERM and SIGHUP, as a terminal or a process manager sends them to exec
 * (SIGINT only when a process sent it: see sigintsToForward). Windows: the console delivers
 * Ctrl-C, Ctrl-Break and its closing to every process attached to it, COMMAND included, and
 * `child.kill()` there is TerminateProcess (SIGHUP throws ENOSYS): exec passes nothing on and
 * listens only so that it outlives COMMAND and reports its status.
 * @param {NodeJS.Platform} platform
 * @returns {{ listen: NodeJS.Signals[], forward: NodeJS.Signals[] }}
 */
function signalPlan(platform) {
  if (platform === 'win32') return { listen: ['SIGINT', 'SIGBREAK', 'SIGHUP'], forward: [] };
  return { listen: ['SIGINT', 'SIGTERM', 'SIGHUP'], forward: ['SIGINT', 'SIGTERM', 'SIGHUP'] };
}

/**
 * How many SIGINTs to pass on now that exec got one: those another process sent (a `kill -INT`
 * of exec's pid reaches exec alone), never a terminal's Ctrl-C, which signals the whole
 * foreground group, COMMAND included (passing it on would make one Ctrl-C two, which tools such
 * as terraform take as "stop now, without cleaning up"). `watching` is false where the core
 * cannot tell the two apart: then a SIGINT is passed on unless stdin is a terminal.
 * @param {boolean} watching
 * @returns {number}
 */
function sigintsToForward(watching) {
  if (watching) return native.takeSentInterrupts();
  return process.stdin.isTTY ? 0 : 1;
}

/** The environment of COMMAND: this process's, with the session's variables applied. */
function commandEnvironment(credentials) {
  const env = { ...process.env };
  exportSession(credentials, env);
  return env;
}

/** The stderr line and exit status for a COMMAND that never started, as shells say: 127 or 126. */
function notStarted(command, err) {
  const missing = err.code === 'ENOENT';
  const code = missing ? 'E_COMMAND_NOT_FOUND' : 'E_COMMAND_FAILED';
  // Node's own checks before starting (ERR_INVALID_ARG_VALUE, …) quote the value they refuse,
  // which can be one of the keys in the environment: only their code. cross-spawn's refusal of a
  // line break for cmd.exe is a TypeError without a code, and quotes nothing.
  const told = err.syscall || (err instanceof TypeError && !err.code);
  const why = told ? err.message : `${err.code || err.name}`;
  process.stderr.write(`${PROGRAM}: ${code}: cannot run ${JSON.stringify(command)}: ${why}\n`);
  return missing ? 127 : 126;
}

/**
 * Runs `command` with `env`, stdio passed through and signals handled as signalPlan says;
 * resolves with exec's exit status once it has ended.
 */
function run(command, args, env) {
  return new Promise((resolve) => {
    let child;
    try {
      child = crossSpawn(command, args, { env, stdio: 'inherit' });
    } catch (err) {
      resolve(notStarted(command, err));
      return;
    }
    const plan = signalPlan(process.platform);
    let watching = false;
    const pass = (signal) => {
      if (!plan.forward.includes(signal)) return;
      const times = signal === 'SIGINT' ? sigintsToForward(watching) : 1;
      for (let i = 0; i < times; i += 1) child.kill(signal);
    };
    const handlers = plan.listen.map((signal) => [signal, () => pass(signal)]);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    // After Node's own SIGINT handler is in place: the core's calls it (core interrupts.rs).
    if (plan.forward.includes('SIGINT')) watching = native.watchSentInterrupts();
    const done = (status) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(status);
    };
    child.once('error', (err) => done(notStarted(command, err)));
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

module.exports = { exec, signalPlan };
