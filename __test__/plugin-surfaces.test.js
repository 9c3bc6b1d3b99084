'use strict';
// The credential installers on both surfaces, with the real AWS SDKs the frameworks use (SDK v2
// from serverless v3's dependencies, SDK v3's STS client) against moto with IAM enforced. The
// trick that makes refresh observable: the keys installed first are the base user's, about to
// expire; only a refresh before the request turns the caller into the assumed role.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { startLocalAws } = require('./helpers/localaws');
const installCredentials = require('../lib/plugin/surfaces/install-credentials');

const AWS_V2 = require(require.resolve('aws-sdk', { paths: [path.dirname(require.resolve('serverless/package.json'))] }));

const MINUTE = 60_000;

let aws;
let roleKeys; // the deploy role's keys, as the native resolver would return them

before(async () => {
  aws = await startLocalAws();
  const base = { accessKeyId: aws.seed.baseUser.accessKeyId, secretAccessKey: aws.seed.baseUser.secretAccessKey };
  const sts = new STSClient({ endpoint: aws.endpoint, region: aws.seed.region, credentials: base, maxAttempts: 1 });
  const { Credentials: c, AssumedRoleUser } = await sts.send(
    new AssumeRoleCommand({ RoleArn: aws.seed.roles.deploy, RoleSessionName: 'surfaces-test' }),
  );
  roleKeys = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: new Date(Date.now() + 60 * MINUTE),
    refreshAt: new Date(Date.now() + 45 * MINUTE),
    assumedRoleArn: AssumedRoleUser.Arn,
  };
});

after(() => aws?.stop());

/**
 * The base user's keys dressed as resolver output expiring in `minutes`, due for refresh
 * `refreshMinutes` from now (the native core says when: `refreshAt`).
 */
function baseKeysExpiringIn(minutes, refreshMinutes = minutes - 15) {
  return {
    accessKeyId: aws.seed.baseUser.accessKeyId,
    secretAccessKey: aws.seed.baseUser.secretAccessKey,
    sessionToken: undefined,
    expiration: new Date(Date.now() + minutes * MINUTE),
    refreshAt: new Date(Date.now() + refreshMinutes * MINUTE),
  };
}

/** A resolver answering the role's keys, counting its calls. */
function countingResolver(answer = async () => roleKeys) {
  const resolver = async () => {
    resolver.calls += 1;
    return answer();
  };
  resolver.calls = 0;
  return resolver;
}

/** A stand-in for the framework: just the provider members the installers touch. */
function frameworkWith(provider) {
  return { getProvider: () => ({ getRegion: () => aws.seed.region, ...provider }), classes: {} };
}

/** Serverless v3's provider: SDK v2 on `provider.sdk`, credentials read from `cachedCredentials`. */
function serverlessV3() {
  const provider = { sdk: AWS_V2, getRegion: () => aws.seed.region };
  return { provider, serverless: { getProvider: () => provider, classes: {} } };
}

/** osls 4's provider: `sdk` throws; clients take `getAwsSdkV3CredentialsProvider()`. */
function osls4() {
  const original = () => async () => ({ accessKeyId: 'from-the-framework' });
  const provider = {
    get sdk() {
      throw new Error('provider.sdk is no longer available');
    },
    getAwsSdkV3CredentialsProvider: original,
    getRegion: () => aws.seed.region,
  };
  return { provider, original, serverless: { getProvider: () => provider, classes: {} } };
}

describe('SDK v2 surface (serverless 1.x-3.x)', () => {
  function v2CallerArn(credentials) {
    const sts = new AWS_V2.STS({ endpoint: aws.endpoint, region: aws.seed.region, credentials, maxRetries: 0 });
    return sts.getCallerIdentity({}).promise().then((r) => r.Arn);
  }

  test('installs an AWS.Credentials with expireTime on cachedCredentials', async () => {
    const { provider, serverless } = serverlessV3();
    const resolver = countingResolver();
    assert.deepEqual(installCredentials(serverless, roleKeys, resolver), ['sdk-v2']);
    const { credentials, region } = provider.cachedCredentials;
    assert.ok(credentials instanceof AWS_V2.Credentials);
    assert.equal(region, aws.seed.region);
    assert.equal(credentials.expireTime.getTime(), roleKeys.expiration.getTime());
    assert.equal(credentials.needsRefresh(), false);
    assert.equal(await v2CallerArn(credentials), roleKeys.assumedRoleArn);
    assert.equal(resolver.calls, 0, 'fresh keys are used as they are');
  });

  test('keys near expiry are refreshed once, before the request signs with them', async () => {
    const { provider, serverless } = serverlessV3();
    const resolver = countingResolver();
    installCredentials(serverless, baseKeysExpiringIn(2), resolver);
    const { credentials } = provider.cachedCredentials;
    assert.equal(credentials.needsRefresh(), true);
    const arns = await Promise.all([1, 2, 3].map(() => v2CallerArn(credentials)));
    assert.deepEqual(arns, Array(3).fill(roleKeys.assumedRoleArn));
    assert.equal(resolver.calls, 1);
    assert.equal(credentials.needsRefresh(), false);
  });

  test('keys are refreshed from their refreshAt on, though they have not expired yet', async () => {
    const { provider, serverless } = serverlessV3();
    const resolver = countingResolver();
    installCredentials(serverless, baseKeysExpiringIn(10, -0.1), resolver);
    const { credentials } = provider.cachedCredentials;
    assert.equal(credentials.needsRefresh(), true);
    assert.equal(await v2CallerArn(credentials), roleKeys.assumedRoleArn);
    assert.equal(resolver.calls, 1);
    const later = baseKeysExpiringIn(30, 5);
    installCredentials(serverless, later, countingResolver());
    assert.equal(provider.cachedCredentials.credentials.needsRefresh(), false, 'not before refreshAt');
  });

  test('a failed refresh fails the request, and the next one tries again', async () => {
    const { provider, serverless } = serverlessV3();
    let fail = true;
    const resolver = countingResolver(async () => {
      if (fail) throw Object.assign(new Error('STS down'), { code: 'E_STS_UNREACHABLE' });
      return roleKeys;
    });
    installCredentials(serverless, baseKeysExpiringIn(1), resolver);
    const { credentials } = provider.cachedCredentials;
    // SDK v2 wraps it in CredentialsErrors; serverless v3 shows the bottom one's message.
    await assert.rejects(v2CallerArn(credentials), (error) => {
      assert.equal(error.code, 'CredentialsError');
      let bottom = error;
      while (bottom.originalError) bottom = bottom.originalError;
      assert.equal(bottom.message, 'STS down');
      return true;
    });
    fail = false;
    assert.equal(await v2CallerArn(credentials), roleKeys.assumedRoleArn);
    assert.equal(resolver.calls, 2);
  });
});

describe('SDK v3 surface (osls 4.x)', () => {
  function v3CallerArn(credentials) {
    const sts = new STSClient({ endpoint: aws.endpoint, region: aws.seed.region, credentials, maxAttempts: 1 });
    return sts.send(new GetCallerIdentityCommand({})).then((r) => r.Arn);
  }

  test('replaces getAwsSdkV3CredentialsProvider with a memoized identity provider', async () => {
    const { provider, serverless, original } = osls4();
    const resolver = countingResolver();
    assert.deepEqual(installCredentials(serverless, roleKeys, resolver), ['sdk-v3']);
    const identityProvider = provider.getAwsSdkV3CredentialsProvider();
    assert.equal(identityProvider.memoized, true);
    assert.equal(provider.getAwsSdkV3CredentialsProvider({}), identityProvider, 'one provider for all clients');
    const identity = await identityProvider();
    assert.deepEqual(Object.keys(identity).sort(), ['accessKeyId', 'expiration', 'secretAccessKey', 'sessionToken']);
    assert.equal(identity.expiration.getTime(), roleKeys.expiration.getTime());
    assert.equal(await v3CallerArn(identityProvider), roleKeys.assumedRoleArn);
    assert.equal(resolver.calls, 0);
    // A caller naming an AWS profile asked for that profile, not for the service's role.
    const named = provider.getAwsSdkV3CredentialsProvider({ profile: 'other' });
    assert.equal((await named()).accessKeyId, 'from-the-framework');
    assert.notEqual(original, provider.getAwsSdkV3CredentialsProvider);
  });

  test('keys near expiry are refreshed once, before the request signs with them', async () => {
    const { provider, serverless } = osls4();
    const resolver = countingResolver();
    installCredentials(serverless, baseKeysExpiringIn(2), resolver);
    const identityProvider = provider.getAwsSdkV3CredentialsProvider();
    const arns = await Promise.all([1, 2, 3].map(() => v3CallerArn(identityProvider)));
    assert.deepEqual(arns, Array(3).fill(roleKeys.assumedRoleArn));
    assert.equal(resolver.calls, 1);
  });

  test('keys are refreshed from their refreshAt on, though they have not expired yet', async () => {
    const { provider, serverless } = osls4();
    const resolver = countingResolver();
    installCredentials(serverless, baseKeysExpiringIn(10, -0.1), resolver);
    assert.equal(await v3CallerArn(provider.getAwsSdkV3CredentialsProvider()), roleKeys.assumedRoleArn);
    assert.equal(resolver.calls, 1);
    const early = countingResolver();
    installCredentials(serverless, baseKeysExpiringIn(30, 5), early);
    await provider.getAwsSdkV3CredentialsProvider()();
    assert.equal(early.calls, 0, 'not before refreshAt');
  });
});

describe('surface detection', () => {
  test('a framework with neither surface gets a coded error', () => {
    assert.throws(() => installCredentials(frameworkWith({}), roleKeys, countingResolver()), {
      code: 'ACCESS_ROLES_UNSUPPORTED_FRAMEWORK',
    });
  });

  test('a framework with both surfaces gets both', () => {
    const provider = { sdk: AWS_V2, getAwsSdkV3CredentialsProvider: () => null };
    assert.deepEqual(installCredentials(frameworkWith(provider), roleKeys, countingResolver()), ['sdk-v3', 'sdk-v2']);
  });
});
