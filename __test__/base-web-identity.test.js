'use strict';
// CI without stored keys: the base identity is a web-identity session (an OIDC token in
// AWS_WEB_IDENTITY_TOKEN_FILE and the CI role in AWS_ROLE_ARN, as GitHub Actions gives them), and
// the access role is assumed from that session. Against moto with IAM enforced: the access role
// trusts only the CI role's session, and the CI role may do nothing but assume roles.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand, AssumeRoleWithWebIdentityCommand } = require('@aws-sdk/client-sts');
const { CloudFormationClient, ListStacksCommand } = require('@aws-sdk/client-cloudformation');
const { awsClient, useLocalAwsAndHome } = require('./helpers/harness');
const { createService } = require('./helpers/serverless');

const BIN = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');

let aws;
let dir;
let home;
let storePath;

/** A CI job's environment: no keys, an OIDC token file, the CI role and its session name. */
function ciEnv() {
  return {
    ...aws.env,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, 'oidc-token'),
    AWS_ROLE_ARN: aws.seed.roles.ci,
    AWS_ROLE_SESSION_NAME: aws.seed.ciSessionName,
    SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: fs.mkdtempSync(path.join(dir, 'cache-')),
  };
}

useLocalAwsAndHome(async (started) => {
  ({ aws, home } = started);
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-oidc-')));
  // A JWT's shape; moto does not verify it, AWS checks it against the OIDC provider.
  fs.writeFileSync(path.join(dir, 'oidc-token'), 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvcGF5bWVudHMifQ.c2ln');
  storePath = path.join(dir, 'access-roles.yml');
  fs.writeFileSync(
    storePath,
    `profiles:
  ci:
    roleArn: ${aws.seed.roles.ciDeploy}
  sandbox:
    roleArn: ${aws.seed.roles.deploy}
apps:
  payments:
    stages:
      dev: ci
      qa: sandbox
`,
  );
});

after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the bin's credential-process for `stage` in a CI job's environment. */
function credentialProcess(stage) {
  const env = Object.fromEntries(Object.entries({ ...process.env, ...ciEnv() }).filter(([, v]) => v !== undefined));
  const args = [BIN, 'credential-process', '--app', 'payments', '--stage', stage, '--config', storePath];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** A client on the keys of a credential_process document. */
const client = (Client, doc) =>
  awsClient(aws, Client, { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.SessionToken });

test('the access role is assumed from the web-identity session, and its keys do what the CI role may not', async () => {
  // The one unsigned request: the SDK's AssumeRoleWithWebIdentity for the base identity.
  await aws.admitUnsigned(1);
  const { status, stdout, stderr } = await credentialProcess('dev');
  assert.equal(status, 0, stderr);
  const doc = JSON.parse(stdout);
  const identity = await client(STSClient, doc).send(new GetCallerIdentityCommand({}));
  assert.match(identity.Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy-ci\/.+-payments-dev$/);
  const stacks = await client(CloudFormationClient, doc).send(new ListStacksCommand({}));
  assert.ok(Array.isArray(stacks.StackSummaries), 'the access role may use CloudFormation');

  // The CI role's own session may not: so the keys above are not the base identity's.
  await aws.admitUnsigned(1);
  const sts = new STSClient({ endpoint: aws.endpoint, region: aws.seed.region, maxAttempts: 1, credentials: { accessKeyId: 'none', secretAccessKey: 'none' } });
  const { Credentials: base } = await sts.send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: aws.seed.roles.ci, RoleSessionName: aws.seed.ciSessionName, WebIdentityToken: 'token' }),
  );
  await assert.rejects(client(CloudFormationClient, base).send(new ListStacksCommand({})), /not authorized|AccessDenied/);
});

test("a role that does not trust the CI role's session is denied, naming that session as the base", async () => {
  await aws.admitUnsigned(1);
  const { status, stdout, stderr } = await credentialProcess('qa');
  assert.equal(status, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^serverless-access-roles: E_ACCESS_DENIED: not allowed to assume arn:aws:iam::123456789012:role\/serverless-deploy as arn:aws:sts::123456789012:assumed-role\/github-ci\/gha-deploy /);
});

test('osls 4 in a CI job: `access-role test` runs on the access role with no keys stored', async () => {
  const service = await createService(aws, 'osls', {
    home,
    store: fs.readFileSync(storePath, 'utf8'),
  });
  try {
    await aws.admitUnsigned(1);
    const { code, stdout, output } = await service.run(['access-role', 'test'], { env: ciEnv() });
    assert.equal(code, 0, output);
    assert.match(stdout, /^Assumed identity: +arn:aws:sts::123456789012:assumed-role\/serverless-deploy-ci\/.+-payments-dev$/m);
  } finally {
    await service.remove();
  }
});
