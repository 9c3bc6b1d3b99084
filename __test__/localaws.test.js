'use strict';
// Proves the local-AWS harness enforces IAM, so that a test passing against it means the
// assumed role's keys were really used. Needs `bash scripts/setup-python.sh`.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { promisify } = require('node:util');
const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { CloudFormationClient, ListStacksCommand } = require('@aws-sdk/client-cloudformation');
const { startLocalAws } = require('./helpers/localaws');
const { awsClient } = require('./helpers/harness');

let aws;
let baseUser; // the deployer's own keys

before(async () => {
  aws = await startLocalAws();
  baseUser = {
    accessKeyId: aws.seed.baseUser.accessKeyId,
    secretAccessKey: aws.seed.baseUser.secretAccessKey,
  };
});

after(() => aws?.stop());

const client = (Client, credentials) => awsClient(aws, Client, credentials);

function assumeRole(RoleArn, extra = {}) {
  return client(STSClient, baseUser).send(
    new AssumeRoleCommand({ RoleArn, RoleSessionName: 'localaws-test', ...extra }),
  );
}

function roleKeys({ Credentials: c }) {
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

test('the base user assumes the deploy role, and the role keys act as that role', async () => {
  const assumed = await assumeRole(aws.seed.roles.deploy);
  const keys = roleKeys(assumed);

  const identity = await client(STSClient, keys).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, 'arn:aws:sts::123456789012:assumed-role/serverless-deploy/localaws-test');

  const stacks = await client(CloudFormationClient, keys).send(new ListStacksCommand({}));
  assert.deepEqual(stacks.StackSummaries, []);
});

test("the base user's own keys are denied CloudFormation", async () => {
  await assert.rejects(client(CloudFormationClient, baseUser).send(new ListStacksCommand({})), {
    name: 'AccessDenied',
    message: 'User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: cloudformation:ListStacks',
  });
});

test('a role whose trust policy names someone else cannot be assumed', async () => {
  await assert.rejects(assumeRole(aws.seed.roles.denied), {
    name: 'AccessDenied',
    message: 'User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: sts:AssumeRole',
  });
});

test('a wrong secret or an unknown key id is rejected', async () => {
  const identity = (credentials) => client(STSClient, credentials).send(new GetCallerIdentityCommand({}));
  await assert.rejects(identity({ ...baseUser, secretAccessKey: 'x'.repeat(40) }), {
    name: 'SignatureDoesNotMatch',
  });
  await assert.rejects(identity({ ...baseUser, accessKeyId: 'AKIAXXXXXXXXXXXXXXXX' }), {
    name: 'InvalidClientTokenId',
  });
});

test('the sts:ExternalId condition: right id allowed, wrong id denied', async () => {
  const role = aws.seed.roles.deployExternalId;
  const assumed = await assumeRole(role, { ExternalId: aws.seed.externalId });
  assert.match(assumed.AssumedRoleUser.Arn, /:assumed-role\/serverless-deploy-ext\//);
  await assert.rejects(assumeRole(role, { ExternalId: 'wrong' }), { name: 'AccessDenied' });
});

// Pins a moto gap rather than a wish: if an upgrade starts denying, tests may rely on it.
test('moto gap: a missing ExternalId is allowed (AWS would deny)', async () => {
  await assumeRole(aws.seed.roles.deployExternalId);
});

test('env makes a child process the base user, via the default credential chain', async () => {
  const script = `
    const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
    new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: path.join(__dirname, '..'), // where `node -e` resolves @aws-sdk/client-sts from
    env: { ...process.env, ...aws.env },
  });
  assert.equal(stdout.trim(), aws.seed.baseUser.arn);
});
