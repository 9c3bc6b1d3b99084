'use strict';
// Written profiles run where users run them, on every platform the release workflow tests
// (Windows too, in its smoke job, where no AWS server runs): `profiles --write` for a store behind
// a path that needs quoting, then SDK v3's credential_process provider (`sh -c` on POSIX,
// `cmd.exe /d /s /c` on Windows) and the aws CLI each parse the line and start the bin. With no
// base identity anywhere, the bin answers E_NO_BASE_CREDENTIALS: that answer, in each consumer's
// error, shows the line reached the bin whole.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'serverless-access-roles.js');

/**
 * The aws CLI: the project's venv (Linux, macOS), else one on PATH (GitHub's Windows images
 * have AWS CLI v2); null when there is none.
 */
function awsCli() {
  const venv = path.join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts' : 'bin', process.platform === 'win32' ? 'aws.cmd' : 'aws');
  if (fs.existsSync(venv)) return venv;
  const names = process.platform === 'win32' ? ['aws.exe', 'aws.cmd'] : ['aws'];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    for (const name of names) if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/**
 * A store directory name that needs quoting in the platform's shell: spaces and quotes, and on
 * POSIX `#` and `;` after spaces (where the SDKs' config parsers would see a comment). Windows
 * refuses those (README "Windows and macOS"); `&` and parentheses need cmd.exe's quotes there.
 */
const HOSTILE_DIR = process.platform === 'win32' ? "proj (1) & it's" : "proj #1 ;x it's";

let dir;
let env;
let configFile;

before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-profiles-run-')));
  const storeDir = path.join(dir, HOSTILE_DIR);
  fs.mkdirSync(storeDir);
  fs.copyFileSync(path.join(ROOT, 'examples', 'access-roles.yml'), path.join(storeDir, 'access-roles.yml'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  configFile = path.join(dir, 'aws', 'config');
  // No base identity anywhere: no key variables, no files, no instance or container metadata.
  env = Object.fromEntries(
    Object.entries({
      ...process.env,
      HOME: home,
      USERPROFILE: home,
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(dir, 'cache'),
      NODE_NO_WARNINGS: '1',
    }).filter(([name]) => !/^(AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE|ROLE_ARN|WEB_IDENTITY_TOKEN_FILE|CONTAINER_.*)|SERVERLESS_ACCESS_ROLES_(CONFIG|SESSION))$/i.test(name)),
  );
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `file args` in `cwd` with the test's environment; resolves with status and outputs. */
function run(file, args, cwd = dir) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, timeout: 60_000, shell: /\.cmd$/i.test(file) }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

test('profiles --write quotes the store path, and SDK v3 and the aws CLI run the line to the bin', async (t) => {
  const written = await run(process.execPath, [BIN, 'profiles', '--write'], path.join(dir, HOSTILE_DIR));
  assert.equal(written.status, 0, written.stderr);
  const line = fs.readFileSync(configFile, 'utf8').match(/^\[profile payments\]\r?\ncredential_process = (.*)$/m)[1];
  // node by its absolute path, quoted only when it needs it (Windows' C:\Program Files\nodejs).
  assert.ok([process.execPath, `"${process.execPath}"`, `'${process.execPath}'`].some((node) => line.startsWith(`${node} `)), line);
  assert.ok(line.includes(' credential-process --app payments --stage default --config '), line);

  const sdkV3 = `require('@aws-sdk/credential-provider-process').fromProcess({ profile: 'payments' })()
    .then(() => console.log('keys'), (e) => { console.error(e.message); process.exit(1); });`;
  const fromSdk = await run(process.execPath, ['-e', sdkV3], ROOT);
  assert.equal(fromSdk.status, 1, fromSdk.stdout);
  assert.match(fromSdk.stderr, /serverless-access-roles: E_NO_BASE_CREDENTIALS: /, 'SDK v3 ran the bin');

  const aws = awsCli();
  if (!aws) {
    t.diagnostic('no aws CLI here: only SDK v3 ran the line');
    return;
  }
  const fromCli = await run(aws, ['sts', 'get-caller-identity', '--profile', 'payments']);
  assert.notEqual(fromCli.status, 0, fromCli.stdout);
  assert.match(fromCli.stderr, /serverless-access-roles: E_NO_BASE_CREDENTIALS: /, 'the aws CLI ran the bin');
});

test('a store path no line can carry is refused, naming it, and nothing is written', { skip: process.platform === 'win32' && 'Windows names hold no line breaks' }, async () => {
  const storeDir = path.join(dir, 'line\nbreak');
  fs.mkdirSync(storeDir);
  fs.copyFileSync(path.join(ROOT, 'examples', 'access-roles.yml'), path.join(storeDir, 'access-roles.yml'));
  const before = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : null;
  const refused = await run(process.execPath, [BIN, 'profiles', '--write'], storeDir);
  assert.equal(refused.status, 1);
  assert.equal(refused.stdout, '');
  assert.equal(
    refused.stderr,
    `serverless-access-roles: E_INVALID_ARGUMENT: invalid configPath: ${JSON.stringify(path.join(storeDir, 'access-roles.yml'))} cannot be written into a credential_process line: it holds a control character, and an AWS config value is one line; use a path without one\n`,
  );
  assert.equal(fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : null, before, 'the AWS config file is as it was');
});
