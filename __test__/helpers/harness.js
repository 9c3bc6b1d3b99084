'use strict';
// What the suites share to drive the product: SDK clients on explicit keys against the local
// server, the bin as a child process, AssumeRole grants counted around a step, and a stand-in for
// the frameworks' ServerlessError.

const { execFile } = require('node:child_process');
const path = require('node:path');
const { assumedKeyIds } = require('./sts-calls');

/** The package's bin. */
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'serverless-access-roles.js');

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

module.exports = { BIN, awsClient, runBin, runFile, grantsDuring, FakeServerlessError };
