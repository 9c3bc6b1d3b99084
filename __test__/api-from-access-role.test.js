'use strict';
// fromAccessRole handed to a real @aws-sdk/client-sts client, against moto with IAM enforced.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { fromAccessRole } = require('../lib/api/from-access-role');
const { startLocalAws, applyEnv } = require('./helpers/localaws');
const { grantsDuring } = require('./helpers/harness');
const { writeSampleStore } = require('./helpers/sample-store');

let aws;
let dir;
let configPath;

before(async () => {
  aws = await startLocalAws();
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-sdk-')));
  // The native addon reads the base user's keys and the endpoint from this process's environment.
  applyEnv({ ...aws.env, HOME: dir, SERVERLESS_ACCESS_ROLES_CONFIG: undefined });
  configPath = writeSampleStore(dir, aws.seed, { reuse: 'sandbox' });
});

after(async () => {
  await aws?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Options for one test: the store, and a cache directory of its own. */
const init = (stage, extra = {}) => ({
  app: 'payments',
  stage,
  configPath,
  cacheDir: fs.mkdtempSync(path.join(dir, 'cache-')),
  ...extra,
});

const sts = (credentials) => new STSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });


test('an STS client built with fromAccessRole calls AWS as the assumed role', async () => {
  const provider = fromAccessRole(init('dev'));
  const identity = await sts(provider).send(new GetCallerIdentityCommand({}));
  assert.match(identity.Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev$/);

  const creds = await provider();
  assert.deepEqual(Object.keys(creds).sort(), ['accessKeyId', 'accountId', 'expiration', 'secretAccessKey', 'sessionToken']);
  assert.match(creds.accessKeyId, /^ASIA/);
  assert.equal(creds.accountId, '123456789012');
  assert.ok(creds.expiration instanceof Date);
  assert.ok(creds.expiration.getTime() > Date.now() + 3000 * 1000, 'about an hour left');
});

test('repeat calls reuse the keys: one AssumeRole for many calls and clients', async () => {
  // A stage no other test resolves: the memory cache lives as long as this process.
  const options = init('reuse');
  let keys;
  const { grants } = await grantsDuring(aws, async () => {
    const providers = [fromAccessRole(options), fromAccessRole(options)];
    keys = await Promise.all([...providers, ...providers].map((p) => p()));
    await sts(providers[0]).send(new GetCallerIdentityCommand({}));
    await sts(providers[1]).send(new GetCallerIdentityCommand({}));
  });
  assert.equal(grants.length, 1);
  for (const k of keys) assert.equal(k.accessKeyId, grants[0]);
});

test('the provider keeps nothing itself: with cache false every call assumes the role again', async () => {
  // Reuse and refresh before expiry are resolveCredentials' (see cache.test.js); a provider
  // that memoized on its own would answer the second call from the first.
  const provider = fromAccessRole(init('dev', { cache: false }));
  let first;
  let second;
  const { grants } = await grantsDuring(aws, async () => {
    first = await provider();
    second = await provider();
  });
  assert.equal(grants.length, 2);
  assert.deepEqual([first.accessKeyId, second.accessKeyId], grants);
});

test('a failure reaches the caller with its code, from the provider and through the client', async () => {
  const provider = fromAccessRole(init('denied'));
  await assert.rejects(provider(), { code: 'E_ACCESS_DENIED', message: new RegExp(aws.seed.roles.denied) });
  await assert.rejects(sts(provider).send(new GetCallerIdentityCommand({})), { code: 'E_ACCESS_DENIED' });
  await assert.rejects(fromAccessRole(init('nope'))(), { code: 'E_NO_PROFILE' });
});

test('fromAccessRole without an app or stage is a TypeError at once', () => {
  assert.throws(() => fromAccessRole(), TypeError);
  assert.throws(() => fromAccessRole({ app: 'payments' }), { name: 'TypeError', message: /`app` and `stage`/ });
});
