'use strict';
// `serverless-access-roles exec`: runs one command on the access role's keys, as aws-vault's
// `exec` does, for tools that load no plugin (Serverless v4, CDK, Terraform, scripts). The
// command gets the session environment the plugin exports (the core's sessionEnvironment), so a
// resolve inside it answers the same role without STS and refuses another. With --server it gets
// a local endpoint that renews the keys instead (./credentials-server, the core's
// servedSessionEnvironment), living exactly as long as the command.

const os = require('node:os');
// cross-spawn: on Windows, finds COMMAND through PATHEXT and runs .cmd/.bat shims (serverless,
// cdk, npx) through cmd.exe with their arguments escaped, where a bare spawn finds only .exe/.com
// and refuses batch files with EINVAL. Elsewhere it is child_process.spawn.
const crossSpawn = require('cross-spawn');
// The session's variables come from the core through ../native, whose load error names the platform.
const native = require('../native');
const exportSession = require('../shared/export-session');
const { OPTIONS_HELP, UsageError, readCommandLine, resolveAsking } = require('./role-args');
const { resolvedLine } = require('../shared/describe-resolve');
const { PROGRAM, errorLine } = require('./error-line');


const USAGE = `usage: ${PROGRAM} exec --app APP --stage STAGE [options] [-- COMMAND [ARGS...]]

Runs COMMAND with the temporary keys of the access role that the profile store assigns to APP
and STAGE in its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION, SERVERLESS_ACCESS_ROLES_SESSION; no AWS_PROFILE):

  ${PROGRAM} exec --app payments --stage prod -- serverless deploy --stage prod

Without COMMAND, it starts your shell on the role ($SHELL, else /bin/sh; on Windows %ComSpec%)
after one line saying which role and when its keys expire; exit the shell to leave the role.

These keys are not renewed: COMMAND must finish before they expire (the profile's
durationSeconds, one hour by default). With --server, COMMAND gets no keys but a credentials
endpoint on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN,
which every AWS SDK and the aws CLI read) that answers renewed keys for as long as COMMAND runs:

  ${PROGRAM} exec --server --app payments --stage prod -- terraform apply

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

/** This process's environment with a served session's variables (the core's) applied. */
function servedEnvironment(credentials, endpoint) {
  const { set, unset } = native.servedSessionEnvironment(credentials, endpoint);
  const env = { ...process.env };
  for (const name of unset) delete env[name];
  return Object.assign(env, set);
}

/**
 * Starts the credentials endpoint for `parsed`'s app and stage, whose first `keys` exec resolved:
 * each request (and each renewal at the keys' refreshAt) resolves again with the options of the
 * first resolve (the base identity as exec started), without its MFA code, which was good for
 * that one call. A failed resolve is one stderr line, said once until the next success.
 */
async function startServer(parsed, keys) {
  const options = { ...parsed.options };
  delete options.mfaCode;
  let told;
  // Loaded for --server only: node's http and crypto cost every other exec a few milliseconds.
  const { startCredentialsServer } = require('./credentials-server');
  return startCredentialsServer(
    async () => {
      const credentials = await native.resolveCredentials(parsed.app, parsed.stage, options);
      told = undefined;
      return credentials;
    },
    {
      keys,
      onError: (err) => {
        const line = `${PROGRAM}: exec --server: ${errorLine(err).slice(PROGRAM.length + 2)}`;
        if (line !== told) process.stderr.write(line);
        told = line;
      },
    },
  );
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
 * The shell `exec` starts when no command is given: $SHELL, else /bin/sh; on Windows %ComSpec%,
 * else cmd.exe, as aws-vault does.
 * @param {NodeJS.ProcessEnv} env
 * @param {NodeJS.Platform} platform
 */
function loginShell(env, platform) {
  if (platform === 'win32') return env.ComSpec || env.COMSPEC || 'cmd.exe';
  return env.SHELL || '/bin/sh';
}

/**
 * An argument as a POSIX shell would need it typed; one with a control character (a line break)
 * is shown JSON-quoted, so the answer stays one line.
 */
function shellWord(arg) {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg)) return JSON.stringify(arg);
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * The one line for a command given without its `--` (`exec --app a --stage b aws s3 ls`): the
 * command line as it should have been, the MFA code left out.
 * @param {string[]} own exec's arguments
 * @param {number} index where the command starts
 */
function missingSeparator(own, index) {
  const shown = own.map((arg, i) => {
    if (own[i - 1] === '--mfa-code') return 'CODE';
    return arg.startsWith('--mfa-code=') ? '--mfa-code=CODE' : arg;
  });
  const fixed = [PROGRAM, 'exec', ...shown.slice(0, index), '--', ...shown.slice(index)].map(shellWord).join(' ');
  return `"${own[index]}" is not an option of exec; put the command after --: ${fixed}`;
}

/** --server renews from exec's memory of the keys: --no-cache would make each request an STS call. */
function checkServer({ server, options }) {
  if (server && options.cache === false) {
    throw new UsageError('--server keeps the keys in memory to renew them, and --no-cache would call STS for every request: leave one of them out');
  }
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
  const parsed = readCommandLine(own, USAGE, checkServer, (index) => missingSeparator(own, index));
  if ('status' in parsed) return parsed.status;
  const shell = command === undefined ? loginShell(process.env, process.platform) : undefined;
  let env;
  let server;
  try {
    const credentials = await resolveAsking(parsed.app, parsed.stage, parsed.options, { tell: !parsed.quiet && !shell });
    if (parsed.server) {
      server = await startServer(parsed, credentials);
      env = servedEnvironment(credentials, server);
    } else {
      env = commandEnvironment(credentials);
    }
    if (shell && !parsed.quiet) {
      const renewal = parsed.server ? 'renewed by a local endpoint while it runs' : 'not renewed: exit it before then';
      process.stderr.write(`${PROGRAM}: ${resolvedLine(parsed.app, parsed.stage, credentials, 'cli')}; starting ${shell} on the role (${renewal})\n`);
    }
  } catch (err) {
    await server?.close();
    process.stderr.write(errorLine(err));
    return 1;
  }
  try {
    return await (shell ? run(shell, [], env) : run(command, commandArgs, env));
  } finally {
    await server?.close();
  }
}

module.exports = { exec, signalPlan, loginShell };
