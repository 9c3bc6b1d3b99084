'use strict';
// `serverless-access-roles credential-process` run as a real process against moto with IAM
// enforced, and read by real consumers: the aws CLI (botocore) and the AWS SDK v3's fromProcess.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { fromProcess } = require('@aws-sdk/credential-provider-process');
const { applyEnv } = require('./helpers/localaws');
const { writeSampleStore } = require('./helpers/sample-store');
const { BIN, runFile, useLocalAwsAndDir } = require('./helpers/harness');
const { resolveCredentials } = require('..');

const ROOT = path.resolve(__dirname, '..');

const AWS_CLI = path.join(ROOT, '.venv', 'bin', 'aws');

let aws;
let dir;
let storePath;

useLocalAwsAndDir('sar-cp-', (started) => {
  ({ aws, dir } = started);
  storePath = writeSampleStore(dir, aws.seed);
});

/**
 * What a child's environment changes: the base user against moto (aws.env), HOME and the cache
 * in the temp dir, and `extra` on top. An undefined value unsets the variable.
 */
function envChanges(extra = {}) {
  return {
    ...aws.env,
    HOME: dir,
    SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: fs.mkdtempSync(path.join(dir, 'cache-')),
    ...extra,
  };
}

/** This process's environment with envChanges(extra) applied, for a child. */
function childEnv(extra) {
  const env = { ...process.env, ...envChanges(extra) };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** Runs `file args` to its end in the test's directory. */
const run = (file, args, env) => runFile(file, args, { env, cwd: dir });

/** Runs the bin with `args`. */
const runBin = (args, extraEnv) => run(process.execPath, [BIN, ...args], childEnv(extraEnv));

/** Writes an AWS config file with one profile whose credential_process runs the bin. */
function awsConfig(profile, binArgs) {
  const file = path.join(fs.mkdtempSync(path.join(dir, 'awsconfig-')), 'config');
  const command = [process.execPath, BIN, 'credential-process', ...binArgs].join(' ');
  fs.writeFileSync(file, `[profile ${profile}]\ncredential_process = ${command}\n`);
  return file;
}

function stsClient(credentials) {
  return new STSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

const DEV = ['--app', 'payments', '--stage', 'dev', '--config'];

test('prints Version 1 credential_process JSON whose keys are the access role', async () => {
  const before = Date.now();
  const { status, stdout, stderr } = await runBin(['credential-process', ...DEV, storePath, '--no-cache']);
  assert.equal(stderr, '');
  assert.equal(status, 0);
  assert.ok(stdout.endsWith('}\n'), 'one JSON document and a newline');

  const doc = JSON.parse(stdout);
  assert.deepEqual(Object.keys(doc), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
  assert.equal(doc.Version, 1);
  assert.match(doc.AccessKeyId, /^ASIA/);
  assert.match(doc.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const lifetime = (Date.parse(doc.Expiration) - before) / 1000;
  assert.ok(lifetime > 3500 && lifetime <= 3610, `one hour, got ${lifetime}s`);

  const identity = await stsClient({
    accessKeyId: doc.AccessKeyId,
    secretAccessKey: doc.SecretAccessKey,
    sessionToken: doc.SessionToken,
  }).send(new GetCallerIdentityCommand({}));
  assert.match(identity.Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\//);
});

test('the aws CLI runs it from a profile and answers as the assumed role', async () => {
  const config = awsConfig('payments-dev', [...DEV, storePath]);
  // --profile (not AWS_PROFILE) on purpose: botocore drops its environment-variable provider
  // when a profile is named explicitly, so the CLI itself must take the profile's keys, while
  // the credential_process child inherits the base user's keys from this same environment.
  const args = ['sts', 'get-caller-identity', '--profile', 'payments-dev', '--endpoint-url', aws.endpoint, '--output', 'json'];
  const { status, stdout, stderr } = await run(AWS_CLI, args, childEnv({ AWS_CONFIG_FILE: config }));
  assert.equal(status, 0, stderr);
  const identity = JSON.parse(stdout);
  assert.match(identity.Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev$/);
  assert.notEqual(identity.Arn, aws.seed.baseUser.arn);
});

test("the AWS SDK v3's fromProcess reads it, so Serverless v4 and CDK can", async () => {
  const config = awsConfig('payments-dev', [...DEV, storePath]);
  // fromProcess runs the command with this process's environment: lend it the child's.
  const undo = applyEnv(envChanges());
  try {
    const provider = fromProcess({ profile: 'payments-dev', configFilepath: config, filepath: os.devNull });
    const creds = await provider();
    assert.ok(creds.expiration instanceof Date);
    const identity = await stsClient(creds).send(new GetCallerIdentityCommand({}));
    assert.match(identity.Arn, /assumed-role\/serverless-deploy\/.+-payments-dev$/);
  } finally {
    applyEnv(undo);
  }
});

test('a resolve failure is one line CODE: message on stderr, exit 1, nothing on stdout', async () => {
  const denied = await runBin(['credential-process', '--app', 'payments', '--stage', 'denied', '--config', storePath]);
  assert.equal(denied.status, 1);
  assert.equal(denied.stdout, '');
  assert.match(denied.stderr, /^serverless-access-roles: E_ACCESS_DENIED: /);
  assert.ok(denied.stderr.includes(aws.seed.roles.denied), 'names the role');
  assert.equal(denied.stderr.trimEnd().includes('\n'), false, 'one line');
  assert.equal(denied.stderr.includes(aws.seed.baseUser.secretAccessKey), false);

  const noProfile = await runBin(['credential-process', '--app', 'billing', '--stage', 'dev', '--config', storePath]);
  assert.equal(noProfile.status, 1);
  assert.match(noProfile.stderr, /^serverless-access-roles: E_NO_PROFILE: /);

  const noStore = await runBin(['credential-process', ...DEV, path.join(dir, 'missing.yml')]);
  assert.equal(noStore.status, 1);
  assert.match(noStore.stderr, /^serverless-access-roles: E_MISSING_STORE: profile store .+missing\.yml does not exist; the store path given names it: .*; the store path is given with --config PATH\n$/);
});

test('a bad command line prints the usage text and exits 2', async () => {
  for (const args of [[], ['assume']]) {
    const { status, stdout, stderr } = await runBin(args);
    assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, /^serverless-access-roles: .+\n\nusage: serverless-access-roles <command> /);
  }
  for (const args of [
    ['credential-process'],
    ['credential-process', '--app', 'payments'],
    ['credential-process', ...DEV, storePath, '--colour'],
    ['credential-process', ...DEV, storePath, 'extra'],
    // The base profile's flag is --aws-profile, as in the plugin: --profile is no alias.
    ['credential-process', ...DEV, storePath, '--profile', 'mine'],
  ]) {
    const { status, stdout, stderr } = await runBin(args);
    assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, /^serverless-access-roles: .+\n\nusage: serverless-access-roles credential-process --app APP --stage STAGE/);
  }
  const missing = await runBin(['credential-process', '--stage', 'dev']);
  assert.match(missing.stderr, /^serverless-access-roles: --app is required\n/);

  const help = await runBin(['credential-process', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: serverless-access-roles credential-process/);
});

test('AWS_PROFILE naming the profile that runs the bin is skipped; with no other base identity the fix comes first', async () => {
  // AWS_PROFILE names the profile that runs the bin, as when a tool runs that profile's
  // credential_process, and no other base keys are around: the bin does not run itself again.
  const config = awsConfig('payments-dev', [...DEV, storePath]);
  const env = {
    AWS_CONFIG_FILE: config,
    AWS_PROFILE: 'payments-dev',
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
  };
  const { status, stdout, stderr } = await runBin(['credential-process', ...DEV, storePath], env);
  assert.equal(status, 1);
  assert.equal(stdout, '');
  const [, code, message] = stderr.match(/^serverless-access-roles: (E_\w+): (.*)\n$/s);
  assert.equal(code, 'E_NO_BASE_CREDENTIALS');
  assert.match(message.slice(0, 100), /^name the AWS profile of your own keys as the base profile/);
  assert.match(message, /; the base profile is given with --aws-profile NAME$/, 'in the bin\'s own flag');
  assert.match(message, /AWS_PROFILE names `payments-dev`, whose credential_process runs this command/);
  assert.doesNotMatch(message, /set AWS_PROFILE/, 'no advice to do what caused it');

  // Named with --aws-profile, the base identity is that profile's, and the role is assumed.
  const withKeys = path.join(fs.mkdtempSync(path.join(dir, 'awsconfig-')), 'config');
  fs.writeFileSync(
    withKeys,
    `${fs.readFileSync(config, 'utf8')}\n[profile mine]\naws_access_key_id = ${aws.seed.baseUser.accessKeyId}\naws_secret_access_key = ${aws.seed.baseUser.secretAccessKey}\n`,
  );
  const named = await runBin(['credential-process', ...DEV, storePath, '--aws-profile', 'mine'], { ...env, AWS_CONFIG_FILE: withKeys });
  assert.equal(named.status, 0, named.stderr);
});

/** An AWS config whose default profile runs the bin with `binArgs`, and no base keys around. */
function loopingDefault(binArgs) {
  const file = path.join(fs.mkdtempSync(path.join(dir, 'awsconfig-')), 'config');
  const command = [process.execPath, BIN, 'credential-process', ...binArgs].join(' ');
  fs.writeFileSync(file, `[default]\ncredential_process = ${command}\n`);
  return { AWS_CONFIG_FILE: file, AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
}

test('a loop through the default profile is caught at once however the store path is spelled', async () => {
  // The default profile names the store relatively (from the service directory) or as another
  // copy of it; the outer run names it absolutely. The same role, so the same cache key: the
  // inner run finds the lock held by its own ancestor and stops instead of waiting 30 s for it.
  const copy = path.join(fs.mkdtempSync(path.join(dir, 'copy-')), 'roles.yml');
  fs.copyFileSync(storePath, copy);
  for (const inner of ['access-roles.yml', copy]) {
    const { status, stdout, stderr } = await runBin(['credential-process', ...DEV, storePath], loopingDefault([...DEV, inner]));
    assert.equal(status, 1, inner);
    assert.equal(stdout, '');
    assert.match(stderr, /^serverless-access-roles: E_CREDENTIAL_PROCESS_LOOP: /, inner);
    // An SDK may cut the message short: the fix comes first, the bin's flag for it last.
    assert.match(stderr.replace(/^serverless-access-roles: E_\w+: /, '').slice(0, 100), /^name a base profile with its own keys/, inner);
    assert.match(stderr, /; the base profile is given with --aws-profile NAME\n$/, inner);
  }
});

test('resolveCredentials whose base identity runs the bin for the same key rejects with the loop error', async () => {
  // The child runs in this process's directory: it names the store absolutely.
  const undo = applyEnv(envChanges(loopingDefault([...DEV, storePath])));
  try {
    await assert.rejects(resolveCredentials('payments', 'dev', { cwd: dir }), (err) => {
      assert.equal(err.code, 'E_CREDENTIAL_PROCESS_LOOP', err.message);
      assert.ok(err.message.includes(aws.seed.roles.deploy), err.message);
      return true;
    });
    await assert.rejects(resolveCredentials('payments', 'dev', { cwd: dir, cache: false }), {
      code: 'E_CREDENTIAL_PROCESS_LOOP',
    });
  } finally {
    applyEnv(undo);
  }
});

test('a loop is caught at once without a usable cache directory too', async () => {
  const file = path.join(dir, 'not-a-directory');
  fs.writeFileSync(file, '');
  for (const cacheDir of [file, undefined]) {
    const env = { ...loopingDefault([...DEV, storePath]), SERVERLESS_ACCESS_ROLES_CACHE_DIR: cacheDir };
    const args = ['credential-process', ...DEV, storePath, ...(cacheDir ? [] : ['--no-cache'])];
    const { status, stderr } = await runBin(args, env);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /^serverless-access-roles: E_CREDENTIAL_PROCESS_LOOP: /);
  }
});
