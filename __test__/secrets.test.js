'use strict';
// No secret is ever printed (issue 5): every plugin command and error path, with both CLIs at
// their most talkative (`--verbose --debug '*'`, SLS_DEBUG), must not show the base user's
// secret key, nor the assumed role's secret key or session token; and `util.inspect` of the
// credentials objects and of the errors must not either. The assumed keys are known exactly:
// they are read from the disk cache entry the first run leaves, and every later run reuses them
// (`access-role test` says "Keys from: cache"). Needs `bash scripts/setup-python.sh`.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const { CloudFormationClient, CreateStackCommand } = require('@aws-sdk/client-cloudformation');
const { applyEnv } = require('./helpers/localaws');
const { createService, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');
const { resolveCredentials } = require('..');
const fromNativeError = require('../lib/plugin/from-native-error');
const installCredentials = require('../lib/plugin/surfaces/install-credentials');

const AWS_V2 = require(require.resolve('aws-sdk', { paths: [path.dirname(require.resolve('serverless/package.json'))] }));

/** The loudest logging each CLI has. */
const LOUD = ['--verbose', '--debug', '*'];

const STORE = `profiles:
  sandbox:
    roleArn: arn:aws:iam::123456789012:role/serverless-deploy
    sessionTags: { team: payments }
  production:
    roleArn: arn:aws:iam::123456789012:role/someone-elses-role
  with-mfa:
    roleArn: arn:aws:iam::123456789012:role/serverless-deploy
    mfaSerial: arn:aws:iam::123456789012:mfa/deployer
apps:
  payments:
    defaultProfile: sandbox
    stages:
      prod: production
      mfa: with-mfa
`;

let aws;
let home;

/** What `serverless deploy` would have left for stage dev, so `info` succeeds and prints it. */
async function createDevStack() {
  const client = (Client, credentials) => new Client({ endpoint: aws.endpoint, region: aws.seed.region, credentials, maxAttempts: 1 });
  const base = { accessKeyId: aws.seed.baseUser.accessKeyId, secretAccessKey: aws.seed.baseUser.secretAccessKey };
  const { Credentials: c } = await client(STSClient, base).send(
    new AssumeRoleCommand({ RoleArn: aws.seed.roles.deploy, RoleSessionName: 'secrets-test' }),
  );
  const keys = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  const template = {
    Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: { ServerlessDeploymentBucketName: { Value: 'payments-dev-serverlessdeploymentbucket' } },
  };
  await client(CloudFormationClient, keys).send(new CreateStackCommand({ StackName: 'payments-dev', TemplateBody: JSON.stringify(template) }));
}

useLocalAwsAndHome(async (started) => {
  ({ aws, home } = started);
  await createDevStack();
});

/**
 * Strings that must never be printed: the base user's secret key, the secrets of every key
 * pair in `cacheDirs`, and shapes of secrets (40 characters of base64 standing alone, or a long
 * base64 run such as a session token) in case keys were minted that no cache holds.
 */
function secretsIn(cacheDirs) {
  const exact = [aws.seed.baseUser.secretAccessKey];
  for (const dir of cacheDirs) {
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : []) {
      const entry = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      exact.push(entry.secretAccessKey, entry.sessionToken);
    }
  }
  return exact;
}

/** Fails when `text` holds any of `exact`, or anything shaped like a secret key or token. */
function assertClean(text, exact, what) {
  for (const secret of exact) assert.ok(!text.includes(secret), `${what}: a secret was printed`);
  assert.doesNotMatch(text, /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/, `${what}: something like a secret key`);
  assert.doesNotMatch(text, /[A-Za-z0-9/+]{100,}/, `${what}: something like a session token`);
}

for (const cli of Object.keys(CLIS)) {
  describe(`${CLIS[cli].label}: every command and error path, at full verbosity`, () => {
    const services = [];
    const runs = []; // { what, code, output }
    const env = { SLS_DEBUG: '*' };

    /** Runs each `args` (LOUD added) in `service`, keeping the output for the scan. */
    async function runAll(service, list, expect) {
      const results = await Promise.all(
        list.map(async (args) => {
          const result = await service.run([...args, ...LOUD], { env });
          const what = `${CLIS[cli].label} ${args.join(' ')}`;
          runs.push({ what, ...result });
          if (expect !== undefined) assert.equal(result.code === 0, expect, `${what} exited ${result.code}:\n${result.output}`);
          return result;
        }),
      );
      return results;
    }

    async function service(options) {
      const created = await createService(aws, cli, { home, store: STORE, ...options });
      services.push(created);
      return created;
    }

    before(async () => {
      const good = await service();
      // The first run assumes the role and caches the keys; the rest reuse exactly these.
      await runAll(good, [['access-role', 'test']], true);
      const [noProfile, secretsVariable, badStore] = await Promise.all([
        service({ edit: (doc) => doc.setIn(['custom', 'accessRoles', 'app'], 'billing') }),
        service({ edit: (doc) => doc.setIn(['provider', 'credentials'], '${secrets:aws-prod}') }),
        service({ store: 'profiles:\n  sandbox:\n    roleArn: not-an-arn\n' }),
      ]);
      const [again] = await Promise.all([
        runAll(good, [['access-role', 'test']], true),
        runAll(good, [['info'], ['access-role', 'show'], ['access-role', 'template']], true),
        runAll(good, [['access-role', 'link', '--profile', 'extra', '--role-arn', aws.seed.roles.deploy, '--stage', 'extra']], true),
        runAll(good, [['info', '--stage', 'prod'], ['access-role', 'test', '--stage', 'mfa']], false),
        // A failed AWS call on the role's keys: serverless v3's debug log dumps the error with
        // the provider's AWS.Credentials, redacted. (osls: see the todo test below.)
        cli === 'serverless' ? runAll(good, [['info', '--stage', 'qa']], false) : null,
        runAll(noProfile, [['info']], false),
        runAll(secretsVariable, [['info']], false),
        runAll(badStore, [['info'], ['access-role', 'show']], false),
      ]);
      assert.match(again[0].stdout, /^Keys from: +cache$/m, 'the later runs use the cached keys');
    });

    after(() => Promise.all(services.map((s) => s.remove())));

    test('the runs went where expected', () => {
      const output = (start) => runs.find((r) => r.what.startsWith(`${CLIS[cli].label} ${start}`)).output;
      assert.match(output('info --stage prod'), /Access roles: .*someone-elses-role/);
      assert.match(output('access-role test --stage mfa'), /requires a code from MFA device/);
      if (cli === 'serverless') assert.match(output('info --stage qa'), /Credentials \{[^}]*sessionToken: '\[redacted\]'/);
      assert.match(runs.filter((r) => r.what.endsWith(' info')).map((r) => r.output).join('\n'), /custom\.accessRoles\.required is true/);
      assert.match(runs.map((r) => r.output).join('\n'), /\$\{secrets:…\} variable/);
      assert.match(runs.map((r) => r.output).join('\n'), /access-roles\.yml:3:14/);
    });

    test('no output holds a secret key or a session token', () => {
      const exact = secretsIn(services.map((s) => s.cacheDir));
      assert.ok(exact.length >= 3, 'the assumed keys are known');
      for (const { what, output } of runs) assertClean(output, exact, what);
    });
  });
}

// Found here and left to the framework: when an AWS call fails, osls's `--debug` log of
// `process: finalize` dumps the SDK v3 error with `%o`, down to the socket of `$response.body`,
// whose raw request header carries `x-amz-security-token`. That holds for any session keys
// (SSO, a role, ours) and for a plugin that only supplies credentials it is out of reach.
test('osls 4: a failing AWS call under --debug keeps the session token out', { todo: 'osls dumps the raw request of failed SDK v3 calls' }, async () => {
  const service = await createService(aws, 'osls', { home, store: STORE });
  try {
    await service.run(['access-role', 'test']);
    const { code, output } = await service.run(['info', '--stage', 'qa', ...LOUD]); // no such stack
    assert.notEqual(code, 0);
    assertClean(output, secretsIn([service.cacheDir]), 'osls info --debug');
  } finally {
    await service.remove();
  }
});

describe('util.inspect in the process', () => {
  let saved;
  let dir;
  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-')));
    fs.writeFileSync(path.join(dir, 'access-roles.yml'), STORE);
    fs.mkdirSync(path.join(dir, 'bad'));
    fs.writeFileSync(path.join(dir, 'bad', 'access-roles.yml'), 'profiles:\n  sandbox:\n    roleArn: not-an-arn\n');
    saved = applyEnv({ ...aws.env, SERVERLESS_ACCESS_ROLES_MFA_CODE: undefined, SERVERLESS_ACCESS_ROLES_CONFIG: undefined });
  });
  after(() => {
    applyEnv(saved);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const options = () => ({ cwd: dir, region: 'us-east-1', cacheDir: path.join(dir, 'cache') });

  test('the credentials show a masked key id and [redacted], yet stay readable and serialisable', async () => {
    const creds = await resolveCredentials('payments', 'dev', options());
    const shown = util.inspect(creds);
    const exact = [aws.seed.baseUser.secretAccessKey, creds.secretAccessKey, creds.sessionToken];
    assertClean(shown, exact, 'util.inspect');
    assertClean(util.format('%o %O %j', creds, { creds }, 1), exact, 'util.format');
    assert.ok(!shown.includes(creds.accessKeyId), 'the key id is masked');
    assert.match(shown, /accessKeyId: 'ASIA\*{16}'/);
    assert.match(shown, /secretAccessKey: '\[redacted\]'/);
    assert.match(shown, /sessionToken: '\[redacted\]'/);
    assert.match(shown, /profile: 'sandbox'/);
    assert.equal(creds.secretAccessKey.length, 40);
    assert.equal(JSON.parse(JSON.stringify(creds)).sessionToken, creds.sessionToken, 'JSON is unchanged');
    assert.deepEqual(Object.keys(creds).sort(), [
      'accessKeyId', 'assumedRoleArn', 'expiration', 'profile', 'refreshAt', 'region', 'requestDigest', 'roleArn', 'rule',
      'secretAccessKey', 'sessionToken', 'source',
    ]);
  });

  test('errors, native and as the plugin reports them, hold no secret', async () => {
    const failures = await Promise.all([
      resolveCredentials('payments', 'prod', options()).catch((e) => e), // access denied
      resolveCredentials('payments', 'mfa', { ...options(), cache: false }).catch((e) => e),
      resolveCredentials('payments', 'dev', { ...options(), cwd: path.join(dir, 'bad') }).catch((e) => e),
      resolveCredentials('billing', 'dev', options()).catch((e) => e),
    ]);
    assert.deepEqual(failures.map((e) => e.code), ['E_ACCESS_DENIED', 'E_MFA_REQUIRED', 'E_INVALID_CONFIG', 'E_NO_PROFILE']);
    const exact = secretsIn([path.join(dir, 'cache')]);
    for (const error of failures) {
      assertClean(util.inspect(error, { depth: null, showHidden: true }), exact, error.code);
      assertClean(util.inspect(fromNativeError({ classes: {} }, error)), exact, error.code);
    }
  });

  test('the objects the plugin installs on both SDK surfaces are redacted', async () => {
    const creds = await resolveCredentials('payments', 'dev', options());
    const exact = [creds.secretAccessKey, creds.sessionToken];
    const v2 = { sdk: AWS_V2, getRegion: () => 'us-east-1' };
    const v3 = { getAwsSdkV3CredentialsProvider: () => async () => ({}), getRegion: () => 'us-east-1' };
    for (const provider of [v2, v3]) {
      installCredentials({ getProvider: () => provider, classes: {} }, creds, async () => creds);
    }
    const identity = await v3.getAwsSdkV3CredentialsProvider()();
    assert.equal(identity.secretAccessKey, creds.secretAccessKey);
    assert.equal(v2.cachedCredentials.credentials.secretAccessKey, creds.secretAccessKey);
    assertClean(util.inspect(v2, { depth: 5 }), exact, 'SDK v2 provider');
    assertClean(util.inspect(identity), exact, 'SDK v3 identity');
    assert.match(util.inspect(v2.cachedCredentials.credentials), /^Credentials \{/);
  });
});

describe('the bin: profiles, and the aws CLI through the profiles it writes', () => {
  const runs = []; // { what, output }
  let dir;
  before(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-profiles-')));
    fs.mkdirSync(path.join(dir, 'home'));
    fs.writeFileSync(path.join(dir, 'access-roles.yml'), STORE);
    const env = Object.fromEntries(
      Object.entries({
        ...process.env,
        ...aws.env,
        HOME: path.join(dir, 'home'),
        AWS_CONFIG_FILE: undefined,
        SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
        SERVERLESS_ACCESS_ROLES_MFA_CODE: undefined,
        SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(dir, 'cache'),
      }).filter(([, v]) => v !== undefined),
    );
    const bin = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');
    const awsCli = path.resolve(__dirname, '..', '.venv', 'bin', 'aws');
    const commands = [
      [process.execPath, [bin, 'profiles']],
      [process.execPath, [bin, 'profiles', '--write']],
      [process.execPath, [bin, 'profiles', '--config', 'missing.yml']],
      ...['payments', 'payments-prod', 'payments-mfa'].map((profile) => [
        awsCli,
        ['sts', 'get-caller-identity', '--profile', profile, '--endpoint-url', aws.endpoint],
      ]),
    ];
    for (const [file, args] of commands) {
      const output = await new Promise((resolve) => {
        execFile(file, args, { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => resolve(`${stdout}${stderr}`));
      });
      runs.push({ what: `${path.basename(file)} ${args.slice(-4).join(' ')}`, output });
    }
    runs.push({ what: '~/.aws/config', output: fs.readFileSync(path.join(dir, 'home', '.aws', 'config'), 'utf8') });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the runs went where expected', () => {
    const output = runs.map((r) => r.output).join('\n');
    assert.match(output, /assumed-role\/serverless-deploy\/.+-payments-default/);
    assert.match(output, /E_ACCESS_DENIED/);
    assert.match(output, /E_MFA_REQUIRED/);
    assert.match(output, /E_MISSING_STORE/);
  });

  test('no output, nor the AWS config file, holds a secret key or a session token', () => {
    const exact = secretsIn([path.join(dir, 'cache')]);
    assert.ok(exact.length >= 3, 'the assumed keys are known');
    for (const { what, output } of runs) assertClean(output, exact, what);
  });
});

describe('the bin: exec, and a CLI inside it at full verbosity', () => {
  const runs = []; // { what, output }
  let dir;
  let service;
  before(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-exec-')));
    service = await createService(aws, 'osls', { home, store: STORE });
    const env = Object.fromEntries(
      Object.entries({
        ...process.env,
        ...aws.env,
        HOME: home.dir,
        SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
        SERVERLESS_ACCESS_ROLES_MFA_CODE: undefined,
        SERVERLESS_ACCESS_ROLES_SESSION: undefined,
        SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(dir, 'cache'),
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEBUG: '*',
        NO_COLOR: '1',
      }).filter(([, v]) => v !== undefined),
    );
    const bin = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');
    const exec = (stage, ...command) => [bin, 'exec', '--app', 'payments', '--stage', stage, '--', ...command];
    const commands = [
      exec('dev', process.execPath, '-e', "console.log('ran')"),
      exec('dev', process.execPath, CLIS.osls.bin, 'access-role', 'test', ...LOUD),
      exec('dev', process.execPath, CLIS.osls.bin, 'info', '--stage', 'prod', ...LOUD),
      exec('dev', process.execPath, bin, 'exec', '--app', 'payments', '--stage', 'prod', '--', 'true'),
      exec('prod', 'true'),
      exec('mfa', 'true'),
      [bin, 'exec', '--help'],
      [bin, 'exec', '--app', 'payments'],
    ];
    for (const args of commands) {
      const output = await new Promise((resolve) => {
        execFile(process.execPath, args, { env, cwd: service.dir, timeout: 120_000 }, (err, stdout, stderr) => resolve(`${stdout}${stderr}`));
      });
      runs.push({ what: args.slice(1, 8).join(' '), output });
    }
  });
  after(async () => {
    await service?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the runs went where expected', () => {
    const output = runs.map((r) => r.output).join('\n');
    assert.match(output, /^ran$/m);
    assert.match(output, /^Keys from: +the session in this environment/m);
    assert.match(output, /E_SESSION_ROLE_MISMATCH/);
    assert.match(output, /E_ACCESS_DENIED/);
    assert.match(output, /E_MFA_REQUIRED/);
    assert.match(output, /usage: serverless-access-roles exec/);
  });

  test('no output holds a secret key or a session token', () => {
    const exact = secretsIn([path.join(dir, 'cache')]);
    assert.ok(exact.length >= 3, 'the assumed keys are known');
    for (const { what, output } of runs) assertClean(output, exact, what);
  });
});
