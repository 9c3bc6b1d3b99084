'use strict';
// Who a command runs as, through the bin against moto with IAM enforced: an explicit base
// profile is the only base identity (key variables beside it are ignored, a typo is an error),
// a session marker proves nothing without its keys and request nor, when a base profile is named,
// without having been made by that profile, a store named by the variable
// that is missing is an error, a stage near miss is warned about, and a base identity that
// already is the role is told so.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { adminProfile, baseProfile } = require('./helpers/localaws');
const { assumeRoleCount, assumeRoleRequests, assumedKeyIds } = require('./helpers/sts-calls');
const harness = require('./helpers/harness');

const { BIN } = harness;
const DEPLOY_SESSION = /^arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/;

let aws;
let dir;
let credentialsFile;

harness.useLocalAwsAndDir('sar-identity-', (started) => {
  ({ aws, dir } = started);
  const { deploy } = aws.seed.roles;
  fs.writeFileSync(
    path.join(dir, 'access-roles.yml'),
    [
      'profiles:',
      '  sandbox:',
      `    roleArn: ${deploy}`,
      '  narrow:',
      `    roleArn: ${deploy}`,
      '    policy: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}',
      'apps:',
      '  payments:',
      '    defaultProfile: sandbox',
      '    stages:',
      '      prod: sandbox',
      '      narrow: narrow',
      '',
    ].join('\n'),
  );
  // The base user as the AWS profile `base`; the key variables hold the admin, whom the deploy
  // role does not trust: only the profile's keys can assume it.
  credentialsFile = path.join(dir, 'credentials');
  fs.writeFileSync(credentialsFile, baseProfile(aws.seed), { mode: 0o600 });
});

/** The environment of a bin run: the admin's key variables, the credentials file, no cache. */
function env(extra = {}) {
  const all = harness.userEnv(aws, dir, {
    AWS_ACCESS_KEY_ID: aws.seed.adminUser.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.seed.adminUser.secretAccessKey,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: fs.mkdtempSync(path.join(dir, 'cache-')),
    ...extra,
  });
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

const runBin = (args, extra) => harness.runBin(args, { env: env(extra), cwd: dir });

/** Who the keys of a credential_process document are, asked of moto. */
async function callerOf(document) {
  const client = new STSClient({
    endpoint: aws.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.SessionToken },
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

test('an explicit base profile wins over key variables: the role is assumed with the profile\'s keys', async () => {
  const before = await assumeRoleCount(aws.endpoint);
  const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base', '--no-cache']);
  assert.equal(run.status, 0, run.stderr);
  const document = JSON.parse(run.stdout);
  assert.match(await callerOf(document), DEPLOY_SESSION);
  assert.equal(await assumeRoleCount(aws.endpoint), before + 1);
  // Without the profile the key variables (the admin, untrusted) are the base identity: denied.
  const ambient = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--no-cache']);
  assert.equal(ambient.status, 1);
  assert.match(ambient.stderr, /E_ACCESS_DENIED: not allowed to assume .+ as arn:aws:iam::\d+:user\/admin/);
});

test('a typo in the base profile is an error naming the defined ones, whatever key variables hold', async () => {
  const before = await assumeRoleCount(aws.endpoint);
  const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'bse', '--no-cache']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^serverless-access-roles: E_NO_BASE_CREDENTIALS: AWS profile `bse` .+ defined there: `base`/);
  assert.equal(run.stdout, '');
  assert.equal(await assumeRoleCount(aws.endpoint), before);
});

test('a store named by SERVERLESS_ACCESS_ROLES_CONFIG that is missing is E_MISSING_STORE, never a fall-back', async () => {
  const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod'], {
    SERVERLESS_ACCESS_ROLES_CONFIG: path.join(dir, 'gone.yml'),
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^serverless-access-roles: E_MISSING_STORE: profile store .+gone\.yml does not exist; SERVERLESS_ACCESS_ROLES_CONFIG names it/);
});

test('key variables beside AWS_PROFILE are the base identity, and the verbose line says AWS_PROFILE was not read', async () => {
  // The base user's keys in the variables, and AWS_PROFILE naming the admin's profile: the chain
  // reads the variables first, as the aws CLI does.
  fs.writeFileSync(path.join(dir, 'admin-credentials'), adminProfile(aws.seed), { mode: 0o600 });
  const both = {
    AWS_ACCESS_KEY_ID: aws.seed.baseUser.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.seed.baseUser.secretAccessKey,
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'admin-credentials'),
    AWS_PROFILE: 'admin',
  };
  const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--no-cache', '--verbose'], both);
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stderr,
    /keys fresh from STS, base identity the default credential chain's key variables \(AWS_PROFILE "admin" is not read beside them; name it with --aws-profile NAME\)/,
  );
  assert.match(await callerOf(JSON.parse(run.stdout)), DEPLOY_SESSION);
  // Named, the profile is the base identity (the admin, whom the role does not trust), and the
  // line has nothing to add.
  const named = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--no-cache', '--verbose', '--aws-profile', 'admin'], both);
  assert.equal(named.status, 1);
  assert.match(named.stderr, /E_ACCESS_DENIED: not allowed to assume .+ as arn:aws:iam::\d+:user\/admin/);
});

test('a forged session marker beside long-term keys is ignored: keys come only from a real AssumeRole', async () => {
  const forged = JSON.stringify({
    roleArn: aws.seed.roles.deploy,
    assumedRoleArn: 'x',
    region: 'us-east-1',
    expiration: '2099-01-01T00:00:00Z',
  });
  // The admin's own long-term keys with any token beside the marker, as a user who re-exports
  // their keys inside an exec shell has them.
  const forgery = { AWS_SESSION_TOKEN: 'anything', SERVERLESS_ACCESS_ROLES_SESSION: forged };
  const before = await assumedKeyIds(aws.endpoint);
  const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base', '--no-cache', '--verbose'], forgery);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /^serverless-access-roles: SERVERLESS_ACCESS_ROLES_SESSION ignored: it is not a marker this version writes$/m);
  const document = JSON.parse(run.stdout);
  assert.match(document.AccessKeyId, /^ASIA/);
  assert.notEqual(document.Expiration, '2099-01-01T00:00:00.000Z');
  const granted = await assumedKeyIds(aws.endpoint);
  assert.deepEqual(granted.slice(before.length), [document.AccessKeyId], 'one real AssumeRole answered');
  assert.match(await callerOf(document), DEPLOY_SESSION);
  // Without a base profile the variables are the base identity, as without a marker: STS
  // refuses the made-up token, and the long-term keys are never handed out as the role's.
  const ambient = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--no-cache'], forgery);
  assert.equal(ambient.status, 1);
  assert.equal(ambient.stdout, '');
  assert.match(ambient.stderr, /E_INVALID_BASE_CREDENTIALS/);
  assert.ok(!ambient.stderr.includes(aws.seed.adminUser.secretAccessKey));
});

test('inside an exec session, a narrower profile of the same role is refused naming the policy', async () => {
  const nested = [BIN, 'credential-process', '--app', 'payments', '--stage', 'narrow'];
  const run = await runBin([
    'exec', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base', '--quiet', '--',
    process.execPath, ...nested,
  ]);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stderr, /E_SESSION_REQUEST_MISMATCH: .+\(policy differ\)/);
  assert.equal(run.stdout, '', 'no keys printed');
  // The same profile inside it answers the session's keys.
  const same = await runBin([
    'exec', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base', '--quiet', '--',
    process.execPath, BIN, 'credential-process', '--app', 'payments', '--stage', 'prod',
  ]);
  assert.equal(same.status, 0, same.stderr);
  assert.match(await callerOf(JSON.parse(same.stdout)), DEPLOY_SESSION);
});

test('exec says which profile, rule, role and base identity it runs on; a stage near miss is warned about', async () => {
  const run = await runBin(['exec', '--app', 'payments', '--stage', 'prd', '--aws-profile', 'base', '--', process.execPath, '-e', '']);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(
    lines[0],
    'serverless-access-roles: warning: stage "prd" of app "payments" has no mapping, so apps.payments.defaultProfile ' +
      'chose profile "sandbox"; did you mean stage "prod"?',
  );
  assert.match(
    lines[1],
    /^serverless-access-roles: payments\/prd → profile "sandbox" \(apps\.payments\.defaultProfile\) → arn:aws:iam::\d+:role\/serverless-deploy; keys fresh from STS, base identity AWS profile "base", expire \S+Z$/,
  );
  const quiet = await runBin(['exec', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base', '--quiet', '--', process.execPath, '-e', '']);
  assert.equal(quiet.stderr, '');
  const silent = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base']);
  assert.equal(silent.status, 0, silent.stderr);
  assert.equal(silent.stderr, '', 'credential-process is silent without --verbose');
});

test('a base profile that already is the access role gets its own message', async () => {
  const first = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'base', '--no-cache']);
  assert.equal(first.status, 0, first.stderr);
  const keys = JSON.parse(first.stdout);
  const onRole = path.join(dir, 'credentials-on-role');
  fs.writeFileSync(
    onRole,
    `[payments-prod]\naws_access_key_id = ${keys.AccessKeyId}\naws_secret_access_key = ${keys.SecretAccessKey}\n` +
      `aws_session_token = ${keys.SessionToken}\n`,
    { mode: 0o600 },
  );
  const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'prod', '--aws-profile', 'payments-prod', '--no-cache'], {
    AWS_SHARED_CREDENTIALS_FILE: onRole,
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /E_ALREADY_ON_ROLE: the base identity already is the access role: arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+ is a session of arn:aws:iam::\d+:role\/serverless-deploy/);
  assert.ok(!run.stderr.includes(keys.SecretAccessKey) && !run.stderr.includes(keys.SessionToken));
});

test('inside an exec session, a named base profile that did not make the session is the base identity', async () => {
  // The base user's keys are the default chain of the outer exec; the AWS profiles `base` (the
  // same user) and `admin` (whom the deploy role does not trust) are defined beside them.
  const both = path.join(dir, 'credentials-base-and-admin');
  fs.writeFileSync(both, baseProfile(aws.seed) + adminProfile(aws.seed), { mode: 0o600 });
  const outer = {
    AWS_ACCESS_KEY_ID: aws.seed.baseUser.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.seed.baseUser.secretAccessKey,
    AWS_SHARED_CREDENTIALS_FILE: both,
  };
  const nested = (...flags) => [BIN, 'credential-process', '--app', 'payments', '--stage', 'prod', '--verbose', ...flags];
  const inExec = (execFlags, inner) =>
    runBin(['exec', '--app', 'payments', '--stage', 'prod', ...execFlags, '--quiet', '--', process.execPath, ...inner], outer);
  const LINE = /^serverless-access-roles: payments\/prod → profile "sandbox" \(apps\.payments\.stages\.prod\) → \S+; keys (.+), expire \S+Z$/m;

  // A session of the default chain: the profile named inside it calls STS, through the cache.
  const before = await assumeRoleCount(aws.endpoint);
  const named = await inExec([], nested('--aws-profile', 'base'));
  assert.equal(named.status, 0, named.stderr);
  assert.equal(await assumeRoleCount(aws.endpoint), before + 2, "exec's AssumeRole and the named profile's");
  assert.match(
    named.stderr,
    /^serverless-access-roles: SERVERLESS_ACCESS_ROLES_SESSION ignored: the session was made by another base identity than AWS profile "base"$/m,
  );
  assert.equal(named.stderr.match(LINE)?.[1], 'fresh from STS, base identity AWS profile "base"');

  // A session of the profile `base`: `admin` named inside it is asked of STS as the admin, and
  // STS refuses the admin; the session's keys are not handed out.
  await aws.recorder.start();
  const other = await inExec(['--aws-profile', 'base'], nested('--aws-profile', 'admin'));
  assert.equal(other.status, 1, other.stderr);
  assert.equal(other.stdout, '');
  assert.match(other.stderr, /E_ACCESS_DENIED: not allowed to assume .+ as arn:aws:iam::\d+:user\/admin/);
  assert.equal((await assumeRoleRequests(aws)).length, 2, "exec's AssumeRole and the admin's");

  // The same profile inside it, or none, answers the session's keys without STS, and the line
  // names no base identity for them.
  for (const flags of [['--aws-profile', 'base'], []]) {
    const before = await assumeRoleCount(aws.endpoint);
    const same = await inExec(['--aws-profile', 'base'], nested(...flags));
    assert.equal(same.status, 0, same.stderr);
    assert.equal(await assumeRoleCount(aws.endpoint), before + 1, `${flags}: exec's AssumeRole only`);
    assert.equal(same.stderr.match(LINE)?.[1], 'the session this process runs in (made before this command; no base identity used)', same.stderr);
  }

  // A stage whose profile narrows the session (a session policy): the session of `base` cannot
  // answer it. With `base` named, the profile assumes the narrower session itself; with none,
  // the session's keys would be the base identity, and that is refused.
  const narrow = (...flags) => [BIN, 'credential-process', '--app', 'payments', '--stage', 'narrow', '--verbose', ...flags];
  const beforeNarrow = await assumeRoleCount(aws.endpoint);
  const narrowed = await inExec(['--aws-profile', 'base'], narrow('--aws-profile', 'base'));
  assert.equal(narrowed.status, 0, narrowed.stderr);
  assert.equal(await assumeRoleCount(aws.endpoint), beforeNarrow + 2, "exec's AssumeRole and the narrower one");
  assert.match(
    narrowed.stderr,
    /^serverless-access-roles: SERVERLESS_ACCESS_ROLES_SESSION ignored: it was made for another request of this role \(policy differ\); AWS profile "base" assumes the role itself$/m,
  );
  assert.match(narrowed.stderr, /keys fresh from STS, base identity AWS profile "base"/);
  const refused = await inExec(['--aws-profile', 'base'], narrow());
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /E_SESSION_REQUEST_MISMATCH/);
});
