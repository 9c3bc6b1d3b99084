'use strict';
// `serverless-access-roles doctor`: the bin run as a user runs it, against moto with IAM
// enforced; each broken setup is found by its check, with its fix.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { useLocalAwsAndDir, userEnv } = require('./helpers/harness');

const BIN = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');
/** The bin's option naming the base identity's AWS profile. */
const BASE_PROFILE_OPTION = '--aws-profile';

let aws;
let dir;
let env;

const STORE = () =>
  [
    'profiles:',
    '  sandbox:',
    `    roleArn: ${aws.seed.roles.deploy}`,
    '  denied:',
    `    roleArn: ${aws.seed.roles.denied}`,
    'apps:',
    '  payments:',
    '    defaultProfile: sandbox',
    '    stages: { prod: denied }',
    '',
  ].join('\n');

useLocalAwsAndDir('cli-doctor-', (started) => {
  ({ aws, dir } = started);
  fs.writeFileSync(path.join(dir, 'access-roles.yml'), STORE());
  env = userEnv(aws, dir, { AWS_CONFIG_FILE: path.join(dir, 'aws-config') });
});

/** Runs `serverless-access-roles args` in `cwd` (default: the store's directory). */
function bin(args, { cwd = dir, extraEnv } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** doctor --json for app payments and `stage`, as checks by name. */
async function doctor(stage, { args = [], ...rest } = {}) {
  const run = await bin(['doctor', '--app', 'payments', '--stage', stage, '--json', ...args], rest);
  assert.equal(run.stderr, '');
  const checks = JSON.parse(run.stdout);
  return { code: run.code, checks: Object.fromEntries(checks.map((c) => [c.check, c])), list: checks };
}

describe('doctor', { concurrency: true }, () => {
  test('a healthy setup: every check ok but the missing profiles, exit 0, and the same as lines', async () => {
    const { code, checks, list } = await doctor('dev', { args: ['--aws-config', path.join(dir, 'healthy-config')] });
    assert.equal(code, 0);
    assert.deepEqual(
      list.map((c) => c.check),
      ['store', 'mapping', 'base identity', 'assume', 'cache', 'aws config profiles', 'versions', 'session marker'],
    );
    assert.equal(checks.store.detail, `${path.join(dir, 'access-roles.yml')}, valid`);
    assert.equal(checks.mapping.detail, `payments/dev → profile "sandbox" (apps.payments.defaultProfile) → ${aws.seed.roles.deploy}`);
    assert.equal(checks['base identity'].status, 'ok');
    assert.match(checks['base identity'].detail, /^arn:aws:iam::\d+:user\//);
    assert.match(checks.assume.detail, /^arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+; keys sts, expire /);
    assert.equal(checks.cache.status, 'ok');
    assert.equal(checks['aws config profiles'].status, 'warning');
    assert.equal(checks['aws config profiles'].fix, 'serverless-access-roles profiles --write');
    assert.equal(checks['session marker'].detail, 'none: not inside a session');
    const lines = await bin(['doctor', '--app', 'payments', '--stage', 'dev', '--aws-config', path.join(dir, 'healthy-config')]);
    assert.equal(lines.code, 0);
    assert.match(lines.stdout, /^ok {7}store: .*, valid\nok {7}mapping: payments\/dev → /);
    assert.match(lines.stdout, /\nwarning {2}aws config profiles: none written .*\n {9}fix: serverless-access-roles profiles --write\n/);
  });

  test('a missing store fails the store check, with where it looked and how to make one', async () => {
    const empty = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-doctor-empty-')));
    const { code, checks } = await doctor('dev', { cwd: empty });
    fs.rmSync(empty, { recursive: true });
    assert.equal(code, 1);
    assert.equal(checks.store.status, 'failure');
    assert.equal(checks.store.code, 'E_NO_PROFILE_STORE');
    assert.match(checks.store.detail, new RegExp(`looked for .*${path.basename(empty)}.*access-roles\\.yml`));
    assert.match(checks.store.fix, /link --create.*--config/);
    assert.equal(checks.assume.status, 'skipped');
  });

  test('a stage near miss is a warning that names the mapped stage', async () => {
    const { code, checks } = await doctor('prd');
    assert.equal(code, 0);
    assert.equal(checks.mapping.status, 'warning');
    assert.match(checks.mapping.detail, /did you mean stage "prod"\?/);
    assert.equal(checks.mapping.fix, 'deploy with --stage prod, or map stage "prd" under apps.payments.stages');
  });

  test('an untrusted base fails the assume with E_ACCESS_DENIED and the trust-policy fix', async () => {
    const { code, checks } = await doctor('prod');
    assert.equal(code, 1);
    assert.equal(checks['base identity'].status, 'ok');
    assert.equal(checks.assume.status, 'failure');
    assert.equal(checks.assume.code, 'E_ACCESS_DENIED');
    assert.match(checks.assume.detail, /not allowed to assume .*; check the role's trust policy names this identity/);
  });

  test('a base that already is the role fails with E_ALREADY_ON_ROLE', async () => {
    // The role's keys in the key variables, as another tool exports them, without a marker.
    const keys = await bin(['credential-process', '--app', 'payments', '--stage', 'dev', '--no-cache']);
    assert.equal(keys.code, 0, keys.stderr);
    const doc = JSON.parse(keys.stdout);
    const onRole = { AWS_ACCESS_KEY_ID: doc.AccessKeyId, AWS_SECRET_ACCESS_KEY: doc.SecretAccessKey, AWS_SESSION_TOKEN: doc.SessionToken };
    const { code, checks } = await doctor('dev', { extraEnv: onRole });
    assert.equal(code, 1);
    assert.equal(checks['base identity'].status, 'failure');
    assert.equal(checks['base identity'].code, 'E_ALREADY_ON_ROLE');
    assert.match(checks['base identity'].fix, /unset AWS_ACCESS_KEY_ID/);
    assert.ok(!JSON.stringify(checks).includes(doc.SecretAccessKey), 'no secret in the output');
  });

  test('a cache directory shared with another user is a warning with the fix', { skip: process.getuid?.() !== 0 && 'needs root to give the directory away' }, async () => {
    const shared = path.join(dir, 'shared-cache');
    fs.mkdirSync(shared, { mode: 0o777 });
    fs.chmodSync(shared, 0o777);
    fs.chownSync(shared, 65534, 65534);
    const { code, checks } = await doctor('dev', { extraEnv: { SERVERLESS_ACCESS_ROLES_CACHE_DIR: shared } });
    assert.equal(code, 0);
    assert.equal(checks.cache.status, 'warning');
    assert.equal(checks.cache.detail, `${shared} is not private to you (shared with other users); keys are kept in its private subdirectory ${shared}/serverless-access-roles-0`);
    assert.equal(checks.cache.fix, 'set SERVERLESS_ACCESS_ROLES_CACHE_DIR to a directory only you use');
  });

  test('a stale profile block is a warning whose fix is profiles --write', async () => {
    const config = path.join(dir, 'stale-config');
    const store = path.join(dir, 'stale', 'access-roles.yml');
    fs.mkdirSync(path.dirname(store));
    fs.writeFileSync(store, STORE());
    const write = await bin(['profiles', '--write', '--config', store, '--aws-config', config]);
    assert.equal(write.code, 0, write.stderr);
    const current = await doctor('dev', { args: ['--config', store, '--aws-config', config] });
    assert.equal(current.checks['aws config profiles'].status, 'ok');
    assert.match(current.checks['aws config profiles'].detail, /^current: payments, payments-prod$/);
    fs.writeFileSync(store, STORE().replace('stages: { prod: denied }', 'stages: { prod: denied, staging: sandbox }'));
    const stale = await doctor('dev', { args: ['--config', store, '--aws-config', config] });
    assert.equal(stale.checks['aws config profiles'].status, 'warning');
    assert.match(stale.checks['aws config profiles'].detail, /differs from the store: payments, payments-prod, payments-staging$/);
    assert.equal(stale.checks['aws config profiles'].fix, 'serverless-access-roles profiles --write');
  });

  test('inside exec, the marker matches its keys', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--quiet', '--', process.execPath, BIN, 'doctor', '--app', 'payments', '--stage', 'dev', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const checks = Object.fromEntries(JSON.parse(run.stdout).map((c) => [c.check, c]));
    assert.equal(checks['session marker'].detail, `matches its keys or their endpoint: ${aws.seed.roles.deploy}`);
    assert.equal(checks['base identity'].status, 'ok');
    assert.match(checks['base identity'].detail, /: STS says its keys are arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/);
  });

  test("a marker written beside another role's keys is caught by asking STS who they are", async () => {
    // The variables of two real sessions: payments' (the deploy role) and billing's (another role).
    const billingStore = path.join(dir, 'billing', 'access-roles.yml');
    fs.mkdirSync(path.dirname(billingStore), { recursive: true });
    fs.writeFileSync(billingStore, `profiles:\n  billing:\n    roleArn: ${aws.seed.roles.deployExternalId}\n    externalId: ${aws.seed.externalId}\napps:\n  billing: { defaultProfile: billing }\n`);
    const printEnv = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];
    const sessionOf = async (args) => {
      const run = await bin(['exec', ...args, '--stage', 'dev', '--quiet', '--', ...printEnv]);
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout);
    };
    const deploy = await sessionOf(['--app', 'payments']);
    const billing = await sessionOf(['--app', 'billing', '--config', billingStore]);
    // The deploy session's marker, its key digest made again over billing's keys, as anyone who
    // holds both could.
    const marker = JSON.parse(deploy.SERVERLESS_ACCESS_ROLES_SESSION);
    marker.keys = crypto.createHash('sha256').update(`${billing.AWS_ACCESS_KEY_ID}\n${billing.AWS_SESSION_TOKEN}`).digest('hex').slice(0, marker.keys.length);
    const forged = {
      AWS_ACCESS_KEY_ID: billing.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: billing.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: billing.AWS_SESSION_TOKEN,
      SERVERLESS_ACCESS_ROLES_SESSION: JSON.stringify(marker),
    };
    const { code, checks } = await doctor('dev', { extraEnv: forged });
    assert.equal(code, 1);
    assert.equal(checks['base identity'].status, 'failure');
    assert.equal(checks['base identity'].code, 'E_SESSION_ROLE_MISMATCH');
    const billingRole = aws.seed.roles.deployExternalId.split('/').pop();
    assert.match(checks['base identity'].detail, new RegExp(`session of ${aws.seed.roles.deploy}, but STS says they are arn:aws:sts::\\d+:assumed-role/${billingRole}/`));
  });

  test('profiles written with --prefix and --stages are current when doctor is given the same', async () => {
    const config = path.join(dir, 'prefixed-config');
    const write = await bin(['profiles', '--write', '--prefix', 'acme-', '--stages', 'dev,staging', '--aws-config', config]);
    assert.equal(write.code, 0, write.stderr);
    const same = await doctor('dev', { args: ['--aws-config', config, '--prefix', 'acme-', '--stages', 'dev,staging'] });
    assert.equal(same.checks['aws config profiles'].status, 'ok');
    assert.equal(same.checks['aws config profiles'].detail, 'current: acme-payments, acme-payments-dev, acme-payments-prod, acme-payments-staging');
    // Without them, doctor compares with what a plain --write would write, and says how to get it.
    const plain = await doctor('dev', { args: ['--aws-config', config] });
    assert.equal(plain.checks['aws config profiles'].status, 'warning');
    assert.equal(plain.checks['aws config profiles'].fix, 'serverless-access-roles profiles --write');
    const prefixOnly = await doctor('dev', { args: ['--aws-config', config, '--prefix', 'acme-'] });
    assert.equal(prefixOnly.checks['aws config profiles'].status, 'warning');
    assert.equal(prefixOnly.checks['aws config profiles'].fix, 'serverless-access-roles profiles --write --prefix acme-');
    const unusable = await doctor('dev', { args: ['--aws-config', config, '--stages', 'dev,__proto__'] });
    assert.equal(unusable.code, 1);
    assert.equal(unusable.checks['aws config profiles'].status, 'failure');
    assert.equal(unusable.checks['aws config profiles'].code, 'E_INVALID_ARGUMENT');
    assert.match(unusable.checks['aws config profiles'].detail, /^invalid stages: /);
  });

  test('inside exec --server, the marker matches its endpoint', async () => {
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', '--', process.execPath, BIN, 'doctor', '--app', 'payments', '--stage', 'dev', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const checks = Object.fromEntries(JSON.parse(run.stdout).map((c) => [c.check, c]));
    assert.equal(checks['session marker'].detail, `matches its keys or their endpoint: ${aws.seed.roles.deploy}`);
    assert.equal(checks.assume.status, 'ok');
    assert.match(checks['base identity'].detail, /: STS says its keys are arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/);
  });

  test(`${BASE_PROFILE_OPTION} names the base profile; an unknown one fails the base check`, async () => {
    const { code, checks } = await doctor('dev', { args: [BASE_PROFILE_OPTION, 'no-such-profile'] });
    assert.equal(code, 1);
    assert.equal(checks['base identity'].status, 'failure');
    assert.match(checks['base identity'].detail, /no-such-profile/);
  });
});
