'use strict';
// Where the STS region comes from when nothing names one, through the bin and the API against
// moto: never the instance metadata service, which off EC2 costs seconds (or hangs). A loopback
// stand-in takes the metadata requests, so a test proves there were none; the one test that
// expects them is the one whose base identity really is instance metadata.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startLocalAws, applyEnv } = require('./helpers/localaws');
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const { startMetadataStandIn } = require('./helpers/metadata-stand-in');
const { writeSampleStore } = require('./helpers/sample-store');
const { resolveCredentials, describeProfile } = require('..');

const BIN = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');

let aws;
let dir;

before(async () => {
  aws = await startLocalAws();
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-region-')));
  const store = writeSampleStore(dir, aws.seed);
  fs.appendFileSync(store, `      chained: chained\n`);
  fs.writeFileSync(store, fs.readFileSync(store, 'utf8').replace('profiles:\n', `profiles:\n  chained:\n    roleArn: ${aws.seed.roles.chained}\n`));
});

after(async () => {
  await aws?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * The base user against moto with no region anywhere (no variables, an empty AWS config) and
 * instance metadata on, at `metadata`.
 */
function noRegion(metadata, extra = {}) {
  return {
    ...aws.env,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_EC2_METADATA_DISABLED: undefined,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.endpoint,
    HOME: dir,
    SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: fs.mkdtempSync(path.join(dir, 'cache-')),
    ...extra,
  };
}

function runBin(args, changes) {
  const env = Object.fromEntries(Object.entries({ ...process.env, ...changes }).filter(([, v]) => v !== undefined));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

for (const mode of ['error', 'hang']) {
  test(`with no region anywhere, credential-process asks no metadata service (one that answers ${mode === 'error' ? '501' : 'nothing'})`, async () => {
    const metadata = await startMetadataStandIn(mode);
    try {
      const run = await runBin(['credential-process', '--app', 'payments', '--stage', 'dev', '--no-cache', '--verbose'], noRegion(metadata));
      assert.equal(run.status, 0, run.stderr);
      assert.match(JSON.parse(run.stdout).AccessKeyId, /^ASIA/);
      assert.deepEqual(metadata.requests, []);
    } finally {
      await metadata.stop();
    }
  });
}

test('with no region anywhere, the API resolves in us-east-1 without a metadata request, and says so', async () => {
  const metadata = await startMetadataStandIn('error');
  const saved = applyEnv(noRegion(metadata));
  try {
    const credentials = await resolveCredentials('payments', 'dev', { cwd: dir, cache: false });
    assert.equal(credentials.region, 'us-east-1');
    assert.equal(credentials.source, 'sts');
    const described = describeProfile('payments', 'dev', { cwd: dir });
    assert.deepEqual([described.region, described.regionRule], ['us-east-1', 'the default, us-east-1']);
    assert.deepEqual(metadata.requests, []);
  } finally {
    applyEnv(saved);
    await metadata.stop();
  }
});

test('the region comes from the option, the variables, then the base AWS profile', () => {
  const config = path.join(dir, 'aws-config');
  fs.writeFileSync(config, '[default]\nregion = eu-north-1\n[profile ci]\nregion = sa-east-1\n');
  const saved = applyEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_CONFIG_FILE: config, AWS_PROFILE: undefined });
  try {
    const rule = (options) => {
      const { region, regionRule } = describeProfile('payments', 'dev', { cwd: dir, ...options });
      return `${region} (${regionRule})`;
    };
    assert.equal(rule({}), 'eu-north-1 (AWS profile `default`)');
    assert.equal(rule({ baseProfile: 'ci' }), 'sa-east-1 (AWS profile `ci`)');
    assert.equal(rule({ region: 'ap-south-1' }), 'ap-south-1 (the region option)');
    process.env.AWS_DEFAULT_REGION = 'eu-west-3';
    assert.equal(rule({}), 'eu-west-3 (AWS_DEFAULT_REGION)');
    process.env.AWS_REGION = '   ';
    assert.equal(rule({}), 'eu-west-3 (AWS_DEFAULT_REGION)', 'a blank AWS_REGION is unset, as in the aws CLI');
    process.env.AWS_REGION = 'moon';
    assert.throws(() => rule({}), (err) => err.code === 'E_INVALID_ARGUMENT' && /AWS_REGION/.test(err.message));
  } finally {
    applyEnv(saved);
  }
});

test('a base identity from instance metadata still works, as the last link of the default chain', async () => {
  // The instance's role: a session of the hub, which the chained role trusts (seed_iam.py).
  const hub = await new STSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: aws.seed.baseUser }).send(
    new AssumeRoleCommand({ RoleArn: aws.seed.roles.hub, RoleSessionName: aws.seed.hubSessionName }),
  );
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken } = hub.Credentials;
  const metadata = await startMetadataStandIn('role', { accessKeyId, secretAccessKey, sessionToken });
  try {
    const run = await runBin(
      ['credential-process', '--app', 'payments', '--stage', 'chained', '--no-cache'],
      noRegion(metadata, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }),
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(JSON.parse(run.stdout).AccessKeyId, /^ASIA/);
    assert.ok(metadata.requests.some((r) => r.url === '/latest/meta-data/iam/security-credentials/instance-role'));
    // A named base profile never falls back to it.
    const before = metadata.requests.length;
    fs.writeFileSync(path.join(dir, 'empty-credentials'), '[mine]\nregion = us-east-1\n');
    const named = await runBin(
      ['credential-process', '--app', 'payments', '--stage', 'dev', '--no-cache', '--aws-profile', 'mine'],
      noRegion(metadata, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'empty-credentials') }),
    );
    assert.equal(named.status, 1);
    assert.match(named.stderr, /E_NO_BASE_CREDENTIALS: .*AWS profile `mine`/);
    assert.equal(metadata.requests.length, before, 'no metadata request for a named profile');
  } finally {
    await metadata.stop();
  }
});
