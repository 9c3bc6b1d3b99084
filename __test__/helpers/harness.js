'use strict';
// What the suites share to drive the product: the local server and a Serverless home started
// for a file's tests, SDK clients on explicit keys against the local server, the bin as a child
// process, AssumeRole grants counted around a step, and a stand-in for the frameworks'
// ServerlessError.

const { execFile } = require('node:child_process');
const { before, after } = require('node:test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { assumedKeyIds } = require('./sts-calls');

/** The package's bin. */
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'serverless-access-roles.js');

/**
 * Starts moto (./localaws) and a Serverless home (./serverless `createHome`) before a file's tests
 * and awaits `setUp` with both, in the same hook (a file's own `before` hooks may run before this
 * one's work is done); stops and removes whichever started after the tests, even when the other
 * failed to start.
 * @param {(started: { aws: object, home: object }) => void | Promise<void>} setUp
 */
function useLocalAwsAndHome(setUp) {
  let started = {};
  before(async () => {
    const [aws, home] = await Promise.allSettled([
      require('./localaws').startLocalAws(),
      require('./serverless').createHome(),
    ]);
    started = { aws: aws.value, home: home.value };
    for (const outcome of [aws, home]) if (outcome.status === 'rejected') throw outcome.reason;
    await setUp(started);
  });
  after(async () => {
    await started.aws?.stop();
    await started.home?.remove();
  });
}

/**
 * Starts moto (./localaws) and makes a directory of the file's own under the system's temp
 * directory (its real path: macOS's is behind a link) before a file's tests, then awaits `setUp`
 * with both; stops and removes whichever was made after the tests.
 * @param {string} prefix the directory's name before mkdtemp's suffix
 * @param {(started: { aws: object, dir: string }) => void | Promise<void>} setUp
 */
function useLocalAwsAndDir(prefix, setUp) {
  const started = {};
  before(async () => {
    started.dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    started.aws = await require('./localaws').startLocalAws();
    await setUp(started);
  });
  after(async () => {
    await started.aws?.stop();
    if (started.dir) fs.rmSync(started.dir, { recursive: true, force: true });
  });
}

/**
 * The environment of a user of the bin in these tests: the runner's, with the local server's
 * keys, endpoint and region, `home` as HOME and a cache under it, and none of the store, session
 * or endpoint variables the runner may carry; `overrides` last (`undefined` unsets).
 * @param {{ env: object }} aws the running server
 * @param {string} home
 * @param {NodeJS.ProcessEnv} [overrides]
 * @returns {NodeJS.ProcessEnv}
 */
function userEnv(aws, home, overrides = {}) {
  return {
    ...process.env,
    ...aws.env,
    HOME: home,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(home, 'cache'),
    SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
    SERVERLESS_ACCESS_ROLES_SESSION: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
    NODE_NO_WARNINGS: '1',
    ...overrides,
  };
}

/**
 * An AWS SDK v3 client against the local server, on explicit keys and its region, with one
 * attempt: nothing from the test runner's environment is used.
 * @template C
 * @param {{ endpoint: string, seed: { region: string } }} aws the running server
 * @param {new (config: object) => C} Client
 * @param {object} credentials keys, or a provider
 * @returns {C}
 */
function awsClient(aws, Client, credentials) {
  return new Client({ endpoint: aws.endpoint, region: aws.seed.region, credentials, maxAttempts: 1 });
}

/**
 * Runs the bin with `args` to its end in `env` (the whole environment) and `cwd`.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, timeout?: number }} [options]
 * @returns {Promise<{ status: number, stdout: string, stderr: string }>}
 */
function runBin(args, { env = process.env, cwd, timeout = 60_000 } = {}) {
  return runFile(process.execPath, [BIN, ...args], { env, cwd, timeout });
}

/**
 * Runs `file args` to its end; resolves with the exit status and both outputs.
 * @returns {Promise<{ status: number, stdout: string, stderr: string }>}
 */
function runFile(file, args, { env = process.env, cwd, timeout = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, timeout }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

/**
 * The AssumeRole grants moto made while `fn` ran (their access key ids, oldest first), and
 * what `fn` answered.
 * @template T
 * @param {{ endpoint: string }} aws the running server
 * @param {() => Promise<T>} fn
 * @returns {Promise<{ grants: string[], result: T }>}
 */
async function grantsDuring(aws, fn) {
  const before = await assumedKeyIds(aws.endpoint);
  const result = await fn();
  return { grants: (await assumedKeyIds(aws.endpoint)).slice(before.length), result };
}

/** Stands in for the framework's ServerlessError: message plus code. */
class FakeServerlessError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

module.exports = {
  BIN,
  useLocalAwsAndHome,
  useLocalAwsAndDir,
  userEnv,
  awsClient,
  runBin,
  runFile,
  grantsDuring,
  FakeServerlessError,
};
