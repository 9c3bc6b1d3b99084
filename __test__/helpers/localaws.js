'use strict';
// Local AWS for tests, the demo and benchmarks: moto's server on a free loopback port with IAM
// enforcement on, seeded by scripts/localaws/seed_iam.py (see docs/ARCHITECTURE.md, "Test
// seams", and the README's "Testing against real parts"). Needs the venv from `bash scripts/setup-python.sh`.
//
//   const { startLocalAws } = require('./helpers/localaws');
//   const aws = await startLocalAws();  // { endpoint, port, env, seed, admitUnsigned, stop }
//   spawn('npx', ['serverless', 'info'], { env: { ...process.env, ...aws.env } });
//   await aws.stop();
//
// As a CLI, `node __test__/helpers/localaws.js` prints the seed and `export` lines for a shell,
// then serves until SIGINT/SIGTERM.

const { spawn, execFile } = require('node:child_process');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const { promisify } = require('node:util');

const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const MOTO_SERVER = path.join(ROOT, '.venv', 'bin', 'moto_server');
const SEED_SCRIPT = path.join(ROOT, 'scripts', 'localaws', 'seed_iam.py');

// Runs the moto_server script (argv[1]) with a thread that exits once our end of its stdin
// closes, so the server dies with this process even when a signal kills it and no 'exit'
// handler could run (Ctrl-C, a test-runner timeout, SIGKILL).
const WATCHED_SERVER = [
  'import os, runpy, sys, threading',
  'threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()',
  'sys.argv = sys.argv[1:]',
  'runpy.run_path(sys.argv[0], run_name="__main__")',
].join('\n');

const OUTPUT_TAIL_CHARS = 64 * 1024;

const run = promisify(execFile);

/** A port that was free a moment ago: the OS picks it for a throw-away listener. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once GET /moto-api/ answers; rejects early if the server has ended. */
async function waitUntilUp(endpoint, hasEnded, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasEnded()) throw new Error('moto_server ended before it answered');
    try {
      // /moto-api/ is served outside the service dispatch, so polling it does not use up
      // one of the seed's no-auth requests.
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/**
 * moto's request recorder: `start()` records every later request the server receives (denied
 * ones too), `reset()` forgets those recorded so far, `requests()` answers them as `{ method, url, headers, body }` with the body decoded.
 * The recording holds request headers, so it stays in a temporary directory removed by stop().
 */
function recorder(endpoint) {
  const call = async (action, method = 'POST') => {
    const res = await fetch(`${endpoint}/moto-api/recorder/${action}`, { method, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`moto recorder ${action} answered ${res.status}`);
    return res.text();
  };
  return {
    // reset-recording creates the (empty) file, which download-recording needs even when
    // nothing has been recorded yet.
    start: async () => {
      await call('reset-recording');
      await call('start-recording');
    },
    /** Forgets the requests recorded so far. */
    reset: () => call('reset-recording'),
    requests: async () =>
      (await call('download-recording', 'GET'))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const entry = JSON.parse(line);
          const body = entry.body_encoded ? Buffer.from(entry.body, 'base64').toString('utf8') : entry.body || '';
          return { method: entry.method, url: entry.url, headers: entry.headers, body };
        }),
  };
}

/**
 * Starts a seeded moto server with IAM enforced.
 * @param {{ startTimeoutMs?: number }} [options]
 * @returns {Promise<{ endpoint: string, port: number, env: Record<string, string|undefined>,
 *   seed: object, admitUnsigned: (count?: number) => Promise<void>, stop: () => Promise<void>,
 *   recorder: ReturnType<typeof recorder> }>}
 *   `seed` is seed_iam.py's JSON; `env` makes a child process act as the base user against this
 *   server. Spread it over process.env for child_process.spawn: its `undefined` entries then
 *   unset the variable in the child. `admitUnsigned` opens a window for unsigned requests.
 */
async function startLocalAws({ startTimeoutMs = 30_000 } = {}) {
  if (!fs.existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} not found: run \`bash scripts/setup-python.sh\``);
  }
  // The server must accept exactly the seed's requests unauthenticated, and no more.
  const seedCalls = (await run(PYTHON, [SEED_SCRIPT, '--print-count'])).stdout.trim();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // moto's request recorder (off until recorder.start()) writes here, not into the cwd.
  const recordingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-recording-'));

  const child = spawn(PYTHON, ['-c', WATCHED_SERVER, MOTO_SERVER, '-H', '127.0.0.1', '-p', `${port}`], {
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: seedCalls, MOTO_RECORDER_FILEPATH: path.join(recordingDir, 'requests.jsonl') },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() can signal all of it
  });
  // Werkzeug logs every request; keep only the tail for error messages, and keep reading so
  // a full pipe never blocks the server.
  let output = '';
  const collect = (chunk) => {
    output = (output + chunk).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let ended = false;
  const exited = new Promise((resolve) => {
    const end = () => {
      ended = true;
      resolve();
    };
    child.once('exit', end);
    child.once('error', (err) => { // failed to spawn
      collect(`${err}\n`);
      end();
    });
  });

  async function stop() {
    if (!ended) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      // moto exits on SIGTERM within its 0.5 s serve-loop tick; don't wait forever if not.
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
    child.stdin.destroy();
    fs.rmSync(recordingDir, { recursive: true, force: true });
  }

  /**
   * Lets the next `count` requests through without a signature check. Once seeded, moto checks
   * the signature of every request, AssumeRoleWithWebIdentity's too, which AWS takes unsigned
   * (the token is the proof) and moto then answers with HTTP 500. Call it right before the one
   * unsigned request; enforcement resumes after `count` requests, as after the seed.
   */
  async function admitUnsigned(count = 1) {
    // reset-auth is served outside the service dispatch, so it counts as no request itself.
    const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: String(count) });
    if (!res.ok) throw new Error(`moto reset-auth answered ${res.status}`);
  }

  try {
    await waitUntilUp(endpoint, () => ended, startTimeoutMs);
    const seed = JSON.parse((await run(PYTHON, [SEED_SCRIPT, '--endpoint', endpoint])).stdout);
    const env = {
      AWS_ACCESS_KEY_ID: seed.baseUser.accessKeyId,
      AWS_SECRET_ACCESS_KEY: seed.baseUser.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_SECURITY_TOKEN: undefined, // legacy name, still read by SDK v2 and botocore
      AWS_PROFILE: undefined,
      AWS_DEFAULT_PROFILE: undefined,
      AWS_REGION: seed.region,
      AWS_DEFAULT_REGION: seed.region,
      AWS_ENDPOINT_URL: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      // Empty files: the developer's own ~/.aws must not leak into the child.
      AWS_CONFIG_FILE: os.devNull,
      AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    };
    return { endpoint, port, env, seed, admitUnsigned, stop, recorder: recorder(endpoint) };
  } catch (err) {
    await stop();
    err.message += `\n--- moto_server output (tail) ---\n${output}`;
    throw err;
  }
}

/**
 * Puts `env` into this process, where the native addon's AWS SDK reads it: an `undefined` value
 * unsets the variable. Returns the values it replaced, to put back with another call.
 * @param {Record<string, string|undefined>} env
 * @returns {Record<string, string|undefined>}
 */
function applyEnv(env) {
  const previous = {};
  for (const [key, value] of Object.entries(env)) {
    previous[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return previous;
}

/**
 * An AWS shared credentials file with the seed's admin user as the profile `admin`: for
 * `access-role link --create --aws-profile admin` against this server.
 * @param {{ adminUser: { accessKeyId: string, secretAccessKey: string } }} seed
 */
function adminProfile(seed) {
  return keysProfile('admin', seed.adminUser);
}

/**
 * An AWS shared credentials file with the seed's base user as the profile `base`: a base
 * identity named explicitly, beside key variables that hold someone else.
 * @param {{ baseUser: { accessKeyId: string, secretAccessKey: string } }} seed
 */
function baseProfile(seed) {
  return keysProfile('base', seed.baseUser);
}

/** A credentials file section `[name]` with `user`'s keys. */
function keysProfile(name, user) {
  return `[${name}]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`;
}

module.exports = { startLocalAws, applyEnv, adminProfile, baseProfile };

if (require.main === module) {
  const quote = (v) => `'${String(v).replace(/'/g, `'\\''`)}'`;
  startLocalAws().then(
    (aws) => {
      // The exported keys are the base user's, who may only assume roles; `access-role link
      // --create` needs someone who may use CloudFormation and IAM: the admin, as an AWS profile.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localaws-cli-'));
      const credentials = path.join(dir, 'credentials');
      fs.writeFileSync(credentials, adminProfile(aws.seed), { mode: 0o600 });
      console.log(`# moto on ${aws.endpoint}, seeded with:`);
      console.log(JSON.stringify(aws.seed, null, 2).replace(/^/gm, '# '));
      for (const [name, value] of Object.entries({ ...aws.env, AWS_SHARED_CREDENTIALS_FILE: credentials })) {
        console.log(value === undefined ? `unset ${name}` : `export ${name}=${quote(value)}`);
      }
      console.log(`# You are ${aws.seed.baseUser.arn}; the AWS profile "admin" may create the role's stack:`);
      console.log(`#   serverless access-role link --create --profile sandbox --aws-profile admin --principal ${aws.seed.baseUser.arn}`);
      console.log('# Ctrl-C stops the server.');
      const shutdown = () => aws.stop().then(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
