'use strict';
// MFA through credential_process: `--mfa-code`, the question on the controlling terminal when an
// AWS SDK runs the bin with stdout and stderr as pipes (the aws CLI on a real pseudo-terminal,
// through helpers/terminal.js), once per key lifetime, and E_MFA_REQUIRED without a terminal;
// and through exec: `--mfa-code`, the question on a terminal, E_MFA_REQUIRED without one.
// moto does not check MFA codes; its request recorder shows the code STS was sent.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { useLocalAwsAndDir, userEnv } = require('./helpers/harness');
const { assumeRoleRequests } = require('./helpers/sts-calls');
const { NO_TERMINAL, runInTerminal: onTerminal } = require('./helpers/terminal');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'serverless-access-roles.js');
const AWS_CLI = path.join(ROOT, '.venv', 'bin', 'aws');
const DEVICE = 'arn:aws:iam::123456789012:mfa/deployer';
const PROMPT = `MFA code for ${DEVICE}: `;

let aws;
let dir;

useLocalAwsAndDir('sar-cli-mfa-', (started) => {
  ({ aws, dir } = started);
  fs.writeFileSync(
    path.join(dir, 'access-roles.yml'),
    `profiles:\n  guarded:\n    roleArn: ${aws.seed.roles.deploy}\n    mfaSerial: ${DEVICE}\napps:\n  payments:\n    stages:\n      dev: guarded\n`,
  );
});

/**
 * A HOME with your keys in [default] of ~/.aws/credentials, and a cache of its own; the
 * environment of a developer's shell against moto, with no key variables.
 */
function developer() {
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  fs.mkdirSync(path.join(home, '.aws'));
  const { accessKeyId, secretAccessKey } = aws.seed.baseUser;
  fs.writeFileSync(path.join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`);
  const env = userEnv(aws, home, {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_CONFIG_FILE: undefined,
    AWS_SHARED_CREDENTIALS_FILE: undefined,
    SERVERLESS_ACCESS_ROLES_MFA_CODE: undefined,
  });
  return { home, env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) };
}

/**
 * Runs `file args` to its end in a session of its own with no controlling terminal (setsid, as
 * in CI or under a service manager); resolves with status and outputs.
 */
function runDetached(file, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Runs `file args` on a pseudo-terminal (helpers/terminal.js), as in a developer's terminal;
 * answers `answer` once the MFA question shows, if given. Resolves with the status, the whole
 * terminal output (CRLF line ends) and whether the question was asked.
 */
async function runInTerminal(file, args, env, answer) {
  let asked = false;
  const { code, output } = await onTerminal([file, ...args], {
    env,
    cwd: dir,
    timeoutMs: 60_000,
    onOutput: (output, terminal) => {
      if (!asked && output.includes(PROMPT)) {
        asked = true;
        if (answer !== undefined) terminal.type(`${answer}\r`);
      }
    },
  });
  return { status: code, output, asked };
}

/** The TokenCode and SerialNumber of the AssumeRole calls recorded since the last reset. */
async function assumeRoleCalls() {
  return (await assumeRoleRequests(aws)).map((params) => ({ serial: params.get('SerialNumber'), code: params.get('TokenCode') }));
}

const DEV = ['credential-process', '--app', 'payments', '--stage', 'dev', '--config', 'access-roles.yml'];

test('--mfa-code sends the code with the device to STS', async () => {
  const { env } = developer();
  await aws.recorder.reset();
  await aws.recorder.start();
  const { status, stdout, stderr } = await runDetached(process.execPath, [BIN, ...DEV, '--mfa-code', '123456'], env);
  assert.equal(status, 0, stderr);
  assert.match(JSON.parse(stdout).AccessKeyId, /^ASIA/);
  assert.deepEqual(await assumeRoleCalls(), [{ serial: DEVICE, code: '123456' }]);
});

test('without a code or a terminal: E_MFA_REQUIRED naming the device and --mfa-code, and no STS call', async () => {
  const { env } = developer();
  await aws.recorder.reset();
  await aws.recorder.start();
  const { status, stdout, stderr } = await runDetached(process.execPath, [BIN, ...DEV], env);
  assert.equal(status, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^serverless-access-roles: E_MFA_REQUIRED: /);
  assert.ok(stderr.includes(DEVICE), stderr);
  assert.match(stderr, /--mfa-code/);
  assert.deepEqual(await assumeRoleCalls(), []);
});

test('the aws CLI on a terminal: the bin asks on the terminal once, and cached keys spare the question', { skip: NO_TERMINAL }, async () => {
  const { env } = developer();
  // The profile, as `profiles --write` writes it.
  const written = await runDetached(process.execPath, [BIN, 'profiles', '--write'], env);
  assert.equal(written.status, 0, written.stderr);
  const awsArgs = ['sts', 'get-caller-identity', '--output', 'json'];
  const shell = { ...env, AWS_PROFILE: 'payments-dev' };

  await aws.recorder.reset();
  await aws.recorder.start();
  const first = await runInTerminal(AWS_CLI, awsArgs, shell, '654321');
  assert.equal(first.asked, true, first.output);
  assert.equal(first.status, 0, first.output);
  assert.match(first.output, /"Arn": "arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev"/);
  assert.deepEqual(await assumeRoleCalls(), [{ serial: DEVICE, code: '654321' }]);

  const second = await runInTerminal(AWS_CLI, awsArgs, shell);
  assert.equal(second.asked, false, second.output);
  assert.equal(second.status, 0, second.output);
  assert.match(second.output, /assumed-role\/serverless-deploy\/.+-payments-dev/);
  assert.equal((await assumeRoleCalls()).length, 1, 'the second run used the cached keys');
});

// exec: the same question, from the command that runs another one on the role.
const EXEC = ['exec', '--app', 'payments', '--stage', 'dev', '--config', 'access-roles.yml'];

test('exec --mfa-code: STS gets the code with the device, and the command runs on the role', async () => {
  const { env } = developer();
  await aws.recorder.reset();
  await aws.recorder.start();
  const { status, stdout, stderr } = await runDetached(process.execPath, [BIN, ...EXEC, '--mfa-code', '246810', '--', AWS_CLI, 'sts', 'get-caller-identity', '--output', 'json'], env);
  assert.equal(status, 0, stderr);
  assert.match(stdout, /"Arn": "arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev"/);
  assert.deepEqual(await assumeRoleCalls(), [{ serial: DEVICE, code: '246810' }]);
});

test('exec on a terminal without a code: asks once, runs the command on the role; without a terminal: E_MFA_REQUIRED and the command never starts', { skip: NO_TERMINAL }, async () => {
  const { env } = developer();
  const command = ['--', AWS_CLI, 'sts', 'get-caller-identity', '--output', 'json'];
  await aws.recorder.reset();
  await aws.recorder.start();
  const asked = await runInTerminal(process.execPath, [BIN, ...EXEC, ...command], env, '135790');
  assert.equal(asked.asked, true, asked.output);
  assert.equal(asked.status, 0, asked.output);
  assert.match(asked.output, /"Arn": "arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev"/);
  assert.deepEqual(await assumeRoleCalls(), [{ serial: DEVICE, code: '135790' }]);

  const fresh = developer();
  const marker = path.join(fresh.home, 'ran');
  const detached = await runDetached(process.execPath, [BIN, ...EXEC, '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], fresh.env);
  assert.equal(detached.status, 1, detached.stderr);
  assert.match(detached.stderr, /^serverless-access-roles: E_MFA_REQUIRED: /);
  assert.ok(detached.stderr.includes(DEVICE), detached.stderr);
  assert.match(detached.stderr, /--mfa-code/);
  assert.equal(fs.existsSync(marker), false, 'the command ran without keys');
});
