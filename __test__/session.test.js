'use strict';
// Profiles that shape the session — role chaining, MFA, source identity, tags, session policy —
// resolved against moto with IAM enforced.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { resolveCredentials, describeProfile } = require('..');
const { startLocalAws, applyEnv } = require('./helpers/localaws');
const { assumeRoleRequests } = require('./helpers/sts-calls');

let aws;
let cwd;

before(async () => {
  aws = await startLocalAws();
  applyEnv({ ...aws.env, SERVERLESS_ACCESS_ROLES_MFA_CODE: undefined });
  cwd = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-session-')));
  process.env.HOME = cwd;
  fs.writeFileSync(
    path.join(cwd, 'access-roles.yml'),
    `profiles:
  hub:
    roleArn: ${aws.seed.roles.hub}
    sessionName: ${aws.seed.hubSessionName}
  chained:
    roleArn: ${aws.seed.roles.chained}
    via: hub
  with-mfa:
    roleArn: ${aws.seed.roles.deploy}
    mfaSerial: arn:aws:iam::123456789012:mfa/deployer
  tagged:
    roleArn: ${aws.seed.roles.deploy}
    sourceIdentity: "{user}"
    sessionTags: {team: payments, stage: prod}
    transitiveTagKeys: [team]
    policy:
      Version: "2012-10-17"
      Statement: [{Effect: Allow, Action: "cloudformation:*", Resource: "*"}]
apps:
  svc:
    stages:
      chained: chained
      mfa: with-mfa
      tagged: tagged
`,
  );
});

after(async () => {
  await aws?.stop();
  fs.rmSync(cwd, { recursive: true, force: true });
});

async function callerArn(creds) {
  const sts = new STSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
}

test('a profile chained via another assumes the hub first, then the role the base user may not assume', async () => {
  assert.deepEqual(describeProfile('svc', 'chained', { cwd }).viaRoleArns, [aws.seed.roles.hub]);
  const creds = await resolveCredentials('svc', 'chained', { cwd, cache: false });
  assert.match(await callerArn(creds), /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy-chained\//);
  // The chained role trusts only the hub's session: the profile without `via` is denied.
  const direct = path.join(cwd, 'direct.yml');
  fs.writeFileSync(direct, `defaultProfile: d\nprofiles:\n  d:\n    roleArn: ${aws.seed.roles.chained}\n`);
  await assert.rejects(resolveCredentials('svc', 'x', { configPath: direct, cache: false }), { code: 'E_ACCESS_DENIED' });
});

test('an MFA profile needs a code from STS, and cached keys do not ask again', async () => {
  const cacheDir = path.join(cwd, 'mfa-cache');
  assert.equal(describeProfile('svc', 'mfa', { cwd }).mfaSerial, 'arn:aws:iam::123456789012:mfa/deployer');
  await assert.rejects(resolveCredentials('svc', 'mfa', { cwd, cacheDir }), (err) => {
    assert.equal(err.code, 'E_MFA_REQUIRED');
    assert.match(err.message, /arn:aws:iam::123456789012:mfa\/deployer/);
    return true;
  });
  await assert.rejects(resolveCredentials('svc', 'mfa', { cwd, cacheDir, mfaCode: 'abc' }), { code: 'E_INVALID_ARGUMENT' });
  const first = await resolveCredentials('svc', 'mfa', { cwd, cacheDir, mfaCode: '123456' });
  assert.equal(first.source, 'sts');
  const again = await resolveCredentials('svc', 'mfa', { cwd, cacheDir });
  assert.deepEqual([again.source, again.accessKeyId], ['cache', first.accessKeyId]);
});

test('E_MFA_REQUIRED names the device in error.mfaSerial', async () => {
  await assert.rejects(resolveCredentials('svc', 'mfa', { cwd, cache: false }), {
    code: 'E_MFA_REQUIRED',
    mfaSerial: 'arn:aws:iam::123456789012:mfa/deployer',
  });
});

test('SERVERLESS_ACCESS_ROLES_MFA_CODE is read by the bin, not by the API', async () => {
  process.env.SERVERLESS_ACCESS_ROLES_MFA_CODE = '654321';
  try {
    await assert.rejects(resolveCredentials('svc', 'mfa', { cwd, cache: false }), { code: 'E_MFA_REQUIRED' });
    const bin = path.join(__dirname, '..', 'bin', 'serverless-access-roles.js');
    const args = [bin, 'credential-process', '--app', 'svc', '--stage', 'mfa', '--no-cache'];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd, env: process.env });
    const document = JSON.parse(stdout);
    const creds = { accessKeyId: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.SessionToken };
    assert.match(await callerArn(creds), /assumed-role\/serverless-deploy\//);
  } finally {
    delete process.env.SERVERLESS_ACCESS_ROLES_MFA_CODE;
  }
});

test('source identity, session tags and a session policy are sent and accepted', async () => {
  await aws.recorder.start();
  const creds = await resolveCredentials('svc', 'tagged', { cwd, cache: false });
  assert.match(await callerArn(creds), /assumed-role\/serverless-deploy\//);
  // What STS got, from the request body moto recorded.
  const sent = (await assumeRoleRequests(aws)).filter((params) => params.get('RoleArn') === aws.seed.roles.deploy);
  assert.equal(sent.length, 1);
  const [params] = sent;
  const { sourceIdentity } = describeProfile('svc', 'tagged', { cwd });
  assert.ok(sourceIdentity, 'the profile sets one');
  assert.equal(params.get('SourceIdentity'), sourceIdentity);
  const tags = {};
  for (let i = 1; params.has(`Tags.member.${i}.Key`); i += 1) tags[params.get(`Tags.member.${i}.Key`)] = params.get(`Tags.member.${i}.Value`);
  assert.deepEqual(tags, { team: 'payments', stage: 'prod' });
  assert.equal(params.get('TransitiveTagKeys.member.1'), 'team');
  assert.equal(params.has('TransitiveTagKeys.member.2'), false);
  assert.deepEqual(JSON.parse(params.get('Policy')), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'cloudformation:*', Resource: '*' }],
  });
});
