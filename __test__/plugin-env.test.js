'use strict';
// The plugin puts the access role's keys into its process environment (custom.accessRoles.exportEnv),
// with a stand-in framework, the real native resolver, serverless v3's AWS SDK v2 for the refresh
// and moto with IAM enforced. The role trusts only the base user, so a refresh that assumed the
// role with the role's own keys would be denied; one answered from the environment would not
// call STS at all. The real CLIs with other plugins and hooks are in plugin-cli-env.test.js.

const { describe, test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const ServerlessAccessRoles = require('..');
const { startLocalAws, applyEnv } = require('./helpers/localaws');
const { assumeRoleCount } = require('./helpers/sts-calls');

const AWS_V2 = require(require.resolve('aws-sdk', { paths: [path.dirname(require.resolve('serverless/package.json'))] }));
const SESSION_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'];

let aws;
let root;
let savedEnv;

before(async () => {
  aws = await startLocalAws();
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-env-')));
  fs.writeFileSync(
    path.join(root, 'access-roles.yml'),
    `defaultProfile: sandbox\nprofiles:\n  sandbox:\n    roleArn: ${aws.seed.roles.deploy}\n`,
  );
  savedEnv = applyEnv({
    ...aws.env,
    HOME: root,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(root, 'cache'),
    SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
    SERVERLESS_ACCESS_ROLES_DISABLE: undefined,
    SERVERLESS_ACCESS_ROLES_SESSION: undefined,
  });
});

after(async () => {
  applyEnv(savedEnv);
  await aws?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

// Each test starts from the base user's environment again.
let startEnv;
beforeEach(() => {
  startEnv = { ...process.env };
});
afterEach(() => {
  applyEnv(Object.fromEntries(Object.keys({ ...process.env, ...startEnv }).map((name) => [name, startEnv[name]])));
});

/** serverless v3 running `info` for a service in `root`: SDK v2 on the provider, as in the framework. */
function setUp(accessRoles = {}, command = 'info') {
  const provider = { sdk: AWS_V2, getStage: () => 'dev', getRegion: () => aws.seed.region };
  const serverless = {
    version: '3.40.0',
    classes: { Error: class extends Error {} },
    serviceDir: root,
    configurationInput: { service: 'payments' },
    processedInput: { commands: command.split(' '), options: {} },
    service: { service: 'payments', custom: { accessRoles }, provider: { name: 'aws' } },
    getProvider: () => provider,
    pluginManager: { commands: {} },
  };
  const log = Object.assign(() => {}, { notice() {}, info() {}, warning() {}, debug() {} });
  const written = [];
  const utils = { log, progress: { create: () => ({ remove() {} }) }, writeText: (text) => written.push(text) };
  return { plugin: new ServerlessAccessRoles(serverless, {}, utils), provider, written };
}

/** Who a client built from the default chain (as other plugins build theirs) is. */
async function defaultChainArn() {
  return (await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}))).Arn;
}

describe('the process environment carries the role', () => {
  test('after asyncInit, SDK clients from the default chain run on the role; profiles gone, region kept', async () => {
    applyEnv({ AWS_PROFILE: 'someone', AWS_DEFAULT_PROFILE: 'someone' });
    const { plugin } = setUp();
    await plugin.asyncInit();
    const keys = plugin.credentials;
    assert.equal(process.env.AWS_ACCESS_KEY_ID, keys.accessKeyId);
    assert.equal(process.env.AWS_SECRET_ACCESS_KEY, keys.secretAccessKey);
    assert.equal(process.env.AWS_SESSION_TOKEN, keys.sessionToken);
    assert.match(process.env.AWS_CREDENTIAL_EXPIRATION, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(new Date(process.env.AWS_CREDENTIAL_EXPIRATION).getTime(), keys.expiration.getTime());
    assert.equal(process.env.AWS_PROFILE, undefined);
    assert.equal(process.env.AWS_DEFAULT_PROFILE, undefined);
    assert.equal(process.env.AWS_REGION, aws.seed.region);
    const marker = process.env.SERVERLESS_ACCESS_ROLES_SESSION;
    assert.ok(marker.includes(aws.seed.roles.deploy), marker);
    assert.ok(!marker.includes(keys.secretAccessKey) && !marker.includes(keys.sessionToken), 'no secret in the marker');
    assert.equal(await defaultChainArn(), keys.assumedRoleArn);
  });

  for (const base of ['key variables', 'an AWS profile']) {
    test(`a refresh after the export assumes the role as the base user (base identity from ${base})`, async () => {
      if (base === 'an AWS profile') {
        const credentialsFile = path.join(root, 'credentials');
        fs.writeFileSync(
          credentialsFile,
          `[base]\naws_access_key_id = ${aws.seed.baseUser.accessKeyId}\naws_secret_access_key = ${aws.seed.baseUser.secretAccessKey}\n`,
        );
        applyEnv({
          AWS_PROFILE: 'base', AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined,
        });
      }
      const { plugin, provider } = setUp({ cache: false });
      await plugin.asyncInit();
      const first = plugin.credentials;
      const calls = await assumeRoleCount(aws.endpoint, aws.seed.roles.deploy);

      // What SDK v2 does when expireTime is near; a role assuming itself would be denied.
      const { credentials } = provider.cachedCredentials;
      await credentials.refreshPromise();
      assert.equal(await assumeRoleCount(aws.endpoint, aws.seed.roles.deploy), calls + 1, 'the refresh called STS');
      assert.notEqual(credentials.accessKeyId, first.accessKeyId, 'new keys');
      assert.equal(process.env.AWS_ACCESS_KEY_ID, credentials.accessKeyId, 'the environment follows the refresh');
      assert.equal(process.env.AWS_SESSION_TOKEN, credentials.sessionToken);
      assert.equal(process.env.AWS_PROFILE, undefined);
      assert.equal(await defaultChainArn(), first.assumedRoleArn);
    });
  }

  test('exportEnv: false leaves the environment alone', async () => {
    const before = { ...process.env };
    const { plugin } = setUp({ exportEnv: false });
    await plugin.asyncInit();
    assert.ok(plugin.credentials, 'the framework still gets the keys');
    for (const name of [...SESSION_VARIABLES, 'SERVERLESS_ACCESS_ROLES_SESSION', 'AWS_PROFILE']) {
      assert.equal(process.env[name], before[name], name);
    }
    assert.equal(await defaultChainArn(), aws.seed.baseUser.arn);
  });
});

test('access-role show says whether the environment carries the role', async () => {
  for (const [accessRoles, expected] of [
    [{}, /^Environment: +exported: other plugins' SDK clients and child processes run on the role$/m],
    [{ exportEnv: false }, /^Environment: +not exported \(custom\.accessRoles\.exportEnv: false\)/m],
  ]) {
    const { plugin, written } = setUp(accessRoles, 'access-role show');
    await plugin.hooks['access-role:show:run']();
    assert.match(written.join('\n'), expected);
  }
});

describe('a resolve inside the exported session', () => {
  const { resolveCredentials } = ServerlessAccessRoles;

  test('answers the same role from the environment, without STS', async () => {
    const { plugin } = setUp();
    await plugin.asyncInit();
    const calls = await assumeRoleCount(aws.endpoint);
    const nested = await resolveCredentials('payments', 'dev', { cwd: root, cache: false });
    assert.equal(nested.source, 'session');
    assert.equal(nested.accessKeyId, plugin.credentials.accessKeyId);
    assert.equal(nested.assumedRoleArn, plugin.credentials.assumedRoleArn);
    assert.equal(await assumeRoleCount(aws.endpoint), calls);
  });

  test('refuses another role, naming both', async () => {
    const { plugin } = setUp();
    await plugin.asyncInit();
    const store = path.join(root, 'other-roles.yml');
    fs.writeFileSync(store, `defaultProfile: other\nprofiles:\n  other:\n    roleArn: ${aws.seed.roles.deployExternalId}\n`);
    await assert.rejects(resolveCredentials('payments', 'dev', { configPath: store }), (error) => {
      assert.equal(error.code, 'E_SESSION_ROLE_MISMATCH');
      assert.ok(error.message.includes(aws.seed.roles.deploy) && error.message.includes(aws.seed.roles.deployExternalId), error.message);
      return true;
    });
  });
});
