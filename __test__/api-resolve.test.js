'use strict';
// resolveCredentials and describeProfile against moto's server with IAM enforced: a test passes
// only if the keys handed back are really the access role's (the base user may only AssumeRole).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { CloudFormationClient, ListStacksCommand } = require('@aws-sdk/client-cloudformation');
const { resolveCredentials, describeProfile } = require('..');
const { startLocalAws, applyEnv } = require('./helpers/localaws');
const { awsClient } = require('./helpers/harness');

let aws;
let dir;

/** Runs `fn` with some variables changed, then puts them back. */
async function withEnv(env, fn) {
  const saved = applyEnv(env);
  try {
    return await fn();
  } finally {
    applyEnv(saved);
  }
}

/** Writes a profile store into a fresh directory and returns the directory. */
function storeDir(text, name = 'access-roles.yml') {
  const d = fs.mkdtempSync(path.join(dir, 'svc-'));
  fs.writeFileSync(path.join(d, name), text);
  return d;
}

const client = (Client, creds) => awsClient(aws, Client, creds);

before(async () => {
  aws = await startLocalAws();
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-resolve-')));
  applyEnv({ ...aws.env, HOME: dir, SERVERLESS_ACCESS_ROLES_CONFIG: undefined });
});

after(async () => {
  await aws?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const store = () => `# the team's store
defaultProfile: sandbox
profiles:
  sandbox:
    roleArn: ${aws.seed.roles.deploy}
  partner:
    roleArn: ${aws.seed.roles.deployExternalId}
    externalId: ${aws.seed.externalId}
    durationSeconds: 900
  wrong-external-id:
    roleArn: ${aws.seed.roles.deployExternalId}
    externalId: not-the-right-one
  someone-else:
    roleArn: ${aws.seed.roles.denied}
apps:
  payments:
    stages:
      prod: partner
      denied: someone-else
      wrong: wrong-external-id
`;

test('the returned keys are the access role: GetCallerIdentity names it and CloudFormation answers', async () => {
  const cwd = storeDir(store());
  const before = Date.now();
  const creds = await resolveCredentials('billing', 'dev', { cwd });

  assert.equal(creds.profile, 'sandbox');
  assert.equal(creds.roleArn, aws.seed.roles.deploy);
  assert.equal(creds.source, 'sts');
  assert.equal(creds.region, 'us-east-1');
  assert.match(creds.accessKeyId, /^ASIA/);
  assert.ok(creds.expiration instanceof Date);
  const lifetime = (creds.expiration.getTime() - before) / 1000;
  assert.ok(lifetime > 3500 && lifetime <= 3610, `keys live one hour by default, got ${lifetime}s`);

  const identity = await client(STSClient, creds).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, creds.assumedRoleArn);
  assert.match(identity.Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-billing-dev$/);
  const stacks = await client(CloudFormationClient, creds).send(new ListStacksCommand({}));
  assert.ok(Array.isArray(stacks.StackSummaries));

  // The same call with the base user's own keys is refused, so the role's keys made the difference.
  const base = { accessKeyId: aws.seed.baseUser.accessKeyId, secretAccessKey: aws.seed.baseUser.secretAccessKey };
  await assert.rejects(client(CloudFormationClient, base).send(new ListStacksCommand({})), { name: 'AccessDenied' });
});

test('a stage mapping with an externalId assumes a role that demands it, for the duration asked', async () => {
  const cwd = storeDir(store());
  const creds = await resolveCredentials('payments', 'prod', { cwd });
  assert.equal(creds.profile, 'partner');
  const lifetime = (creds.expiration.getTime() - Date.now()) / 1000;
  assert.ok(lifetime > 800 && lifetime <= 900, `durationSeconds 900, got ${lifetime}s`);
  const identity = await client(STSClient, creds).send(new GetCallerIdentityCommand({}));
  assert.match(identity.Arn, /assumed-role\/serverless-deploy-ext\//);
});

test('a JSON store found through SERVERLESS_ACCESS_ROLES_CONFIG works the same', async () => {
  const json = JSON.stringify({ profiles: { p: { roleArn: aws.seed.roles.deploy } }, defaultProfile: 'p' }, null, 2);
  const d = storeDir(json, 'team.json');
  const creds = await withEnv({ SERVERLESS_ACCESS_ROLES_CONFIG: path.join(d, 'team.json') }, () =>
    resolveCredentials('any', 'dev', { cwd: dir }),
  );
  assert.equal(creds.profile, 'p');
});

test('describeProfile says which profile applies and why, without calling AWS', async () => {
  const cwd = storeDir(store());
  await withEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, async () => {
    const { sessionName, ...described } = describeProfile('payments', 'prod', { cwd, region: 'eu-west-1' });
    assert.deepEqual(described, {
        configPath: path.join(cwd, 'access-roles.yml'),
        profile: 'partner',
        rule: 'apps.payments.stages.prod',
        roleArn: aws.seed.roles.deployExternalId,
        externalId: aws.seed.externalId,
        durationSeconds: 900,
        region: 'eu-west-1',
        regionRule: 'the region option',
        viaRoleArns: [],
        sessionTagKeys: [],
        transitiveTagKeys: [],
    });
    assert.match(sessionName, /-payments-prod$/);
    assert.equal(describeProfile('payments', 'dev', { cwd }).rule, 'defaultProfile');
  });
});

test('a role whose trust policy names someone else is E_ACCESS_DENIED, naming the role and the base identity', async () => {
  const cwd = storeDir(store());
  await assert.rejects(resolveCredentials('payments', 'denied', { cwd }), (err) => {
    assert.equal(err.code, 'E_ACCESS_DENIED');
    assert.ok(err.message.includes(aws.seed.roles.denied), err.message);
    assert.ok(err.message.includes('arn:aws:iam::123456789012:user/deployer'), err.message);
    assert.ok(!err.message.includes(aws.seed.baseUser.secretAccessKey));
    return true;
  });
});

test('a wrong externalId is E_ACCESS_DENIED', async () => {
  const cwd = storeDir(store());
  await assert.rejects(resolveCredentials('payments', 'wrong', { cwd }), { code: 'E_ACCESS_DENIED' });
});

test('an app and stage the store does not map is E_NO_PROFILE', async () => {
  const cwd = storeDir(`profiles:\n  p:\n    roleArn: ${aws.seed.roles.deploy}\napps:\n  payments:\n    stages:\n      prod: p\n`);
  await assert.rejects(resolveCredentials('payments', 'dev', { cwd }), (err) => {
    assert.equal(err.code, 'E_NO_PROFILE');
    assert.match(err.message, /no deployment profile for app `payments` stage `dev`/);
    return true;
  });
});

test('no store anywhere is E_NO_PROFILE_STORE listing the places looked at', async () => {
  const cwd = fs.mkdtempSync(path.join(dir, 'empty-'));
  await assert.rejects(resolveCredentials('payments', 'dev', { cwd }), (err) => {
    assert.equal(err.code, 'E_NO_PROFILE_STORE');
    assert.ok(err.message.includes(path.join(cwd, 'access-roles.yml')), err.message);
    assert.ok(err.message.includes(path.join(dir, '.serverless', 'access-roles.yml')), err.message);
    return true;
  });
  await assert.rejects(resolveCredentials('a', 'b', { configPath: path.join(cwd, 'nope.yml') }), {
    code: 'E_MISSING_STORE',
  });
});

test('a malformed store is E_INVALID_CONFIG with file, line, column and a hint', async () => {
  const cwd = storeDir(`profiles:\n  p:\n    roleArn: ${aws.seed.roles.deploy}\n    durationSecs: 900\n`);
  await assert.rejects(resolveCredentials('a', 'b', { cwd }), (err) => {
    assert.equal(err.code, 'E_INVALID_CONFIG');
    assert.ok(err.message.startsWith(`${path.join(cwd, 'access-roles.yml')}:4:5: profiles.p: unknown field \`durationSecs\``), err.message);
    assert.match(err.message, /did you mean `durationSeconds`\?/);
    return true;
  });
});

test('unusable arguments are E_INVALID_ARGUMENT', async () => {
  const cwd = storeDir(store());
  await assert.rejects(resolveCredentials('', 'dev', { cwd }), { code: 'E_INVALID_ARGUMENT' });
  await assert.rejects(resolveCredentials('a', 'dev', { cwd, region: 'moon' }), { code: 'E_INVALID_ARGUMENT' });
  assert.throws(() => describeProfile('a', 'x'.repeat(500), { cwd }), { code: 'E_INVALID_ARGUMENT' });
});

test('a closed STS port is E_STS_UNREACHABLE', async () => {
  const cwd = storeDir(store());
  await withEnv({ AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' }, async () => {
    await assert.rejects(resolveCredentials('billing', 'dev', { cwd }), (err) => {
      assert.equal(err.code, 'E_STS_UNREACHABLE');
      assert.ok(err.message.includes('http://127.0.0.1:9'), err.message);
      return true;
    });
  });
});

test('base keys STS does not accept are E_INVALID_BASE_CREDENTIALS, without the secret in the text', async () => {
  const cwd = storeDir(store());
  const wrongSecret = 'wrong-secret-0123456789abcdefghijklmnopqrs';
  await withEnv({ AWS_SECRET_ACCESS_KEY: wrongSecret }, async () => {
    await assert.rejects(resolveCredentials('billing', 'dev', { cwd }), (err) => {
      assert.equal(err.code, 'E_INVALID_BASE_CREDENTIALS');
      assert.match(err.message, /SignatureDoesNotMatch/);
      assert.ok(!err.message.includes(wrongSecret));
      return true;
    });
  });
});

test('no base identity at all is E_NO_BASE_CREDENTIALS', async () => {
  const cwd = storeDir(store());
  await withEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, async () => {
    await assert.rejects(resolveCredentials('billing', 'dev', { cwd }), (err) => {
      assert.equal(err.code, 'E_NO_BASE_CREDENTIALS');
      assert.match(err.message, /AWS_PROFILE|aws sso login/);
      return true;
    });
  });
});

test('a repeat resolve is served from the cache until forceRefresh, and cache: false bypasses it', async () => {
  const cwd = storeDir(store());
  const cacheDir = path.join(cwd, 'cache');
  const first = await resolveCredentials('cached', 'dev', { cwd, cacheDir });
  const again = await resolveCredentials('cached', 'dev', { cwd, cacheDir });
  assert.deepEqual([first.source, again.source], ['sts', 'cache']);
  assert.equal(again.accessKeyId, first.accessKeyId);
  assert.equal(again.expiration.getTime(), first.expiration.getTime());
  const forced = await resolveCredentials('cached', 'dev', { cwd, cacheDir, forceRefresh: true });
  assert.equal(forced.source, 'sts');
  assert.notEqual(forced.accessKeyId, first.accessKeyId);
  const uncached = await resolveCredentials('cached', 'dev', { cwd, cacheDir, cache: false });
  assert.equal(uncached.source, 'sts');
  assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, 1);
});
