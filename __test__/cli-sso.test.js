'use strict';
// An IAM Identity Center (SSO) profile as the base identity, end to end: a profile with
// sso_session, sso_account_id and sso_role_name, the token `aws sso login` leaves in
// ~/.aws/sso/cache, and a stand-in portal (./helpers/sso-portal.js, through
// AWS_ENDPOINT_URL_SSO) that hands out the base user's keys; STS is moto with IAM enforced.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startLocalAws } = require('./helpers/localaws');
const { startSsoPortal } = require('./helpers/sso-portal');
const { userEnv } = require('./helpers/harness');

const BIN = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');
const AWS_CLI = path.resolve(__dirname, '..', '.venv', 'bin', 'aws');
/** The bin's option naming the base identity's AWS profile. */
const BASE_PROFILE_OPTION = '--aws-profile';
const ROLE_SESSION = /^arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/;
const TOKEN = 'stand-in-sso-access-token';

let aws;
let portal;
let dir;
let env;

/** The token cache file of an sso-session, as `aws sso login` names it: SHA-1 of the name. */
const tokenFile = (home, session) => path.join(home, '.aws', 'sso', 'cache', `${crypto.createHash('sha1').update(session).digest('hex')}.json`);

/** Writes a token for `session` that expires at `expiresAt`. */
function writeToken(home, session, expiresAt, accessToken = TOKEN) {
  fs.mkdirSync(path.dirname(tokenFile(home, session)), { recursive: true });
  fs.writeFileSync(
    tokenFile(home, session),
    JSON.stringify({ accessToken, expiresAt, region: 'us-east-1', startUrl: 'https://acme.awsapps.com/start' }),
  );
}

before(async () => {
  aws = await startLocalAws();
  // The base user's own keys: moto refuses a session token it did not issue, and the base user
  // may not call GetSessionToken, so these come without one (Identity Center's always have one).
  portal = await startSsoPortal({ token: TOKEN, accountId: aws.seed.accountId, roleName: 'Deployer', keys: aws.seed.baseUser });
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-sso-')));
  fs.writeFileSync(
    path.join(dir, 'access-roles.yml'),
    ['profiles:', '  sandbox:', `    roleArn: ${aws.seed.roles.deploy}`, 'apps:', '  payments: { defaultProfile: sandbox }', ''].join('\n'),
  );
  fs.mkdirSync(path.join(dir, '.aws'));
  fs.writeFileSync(
    path.join(dir, '.aws', 'config'),
    [
      '[sso-session acme]',
      'sso_start_url = https://acme.awsapps.com/start',
      'sso_region = us-east-1',
      'sso_registration_scopes = sso:account:access',
      '',
      '[profile acme-sso]',
      'sso_session = acme',
      `sso_account_id = ${aws.seed.accountId}`,
      'sso_role_name = Deployer',
      `region = ${aws.seed.region}`,
      '',
      '[sso-session lapsed]',
      'sso_start_url = https://acme.awsapps.com/start',
      'sso_region = us-east-1',
      '',
      '[profile lapsed-sso]',
      'sso_session = lapsed',
      `sso_account_id = ${aws.seed.accountId}`,
      'sso_role_name = Deployer',
      '',
      '[sso-session revoked]',
      'sso_start_url = https://acme.awsapps.com/start',
      'sso_region = us-east-1',
      '',
      '[profile revoked-sso]',
      'sso_session = revoked',
      `sso_account_id = ${aws.seed.accountId}`,
      'sso_role_name = Deployer',
      '',
      '[profile legacy-sso]',
      'sso_start_url = https://legacy.awsapps.com/start',
      'sso_region = us-east-1',
      `sso_account_id = ${aws.seed.accountId}`,
      'sso_role_name = Deployer',
      '',
      '[profile never-logged-in]',
      'sso_session = nobody',
      `sso_account_id = ${aws.seed.accountId}`,
      'sso_role_name = Deployer',
      '',
      '[sso-session nobody]',
      'sso_start_url = https://acme.awsapps.com/start',
      'sso_region = us-east-1',
      '',
    ].join('\n'),
  );
  writeToken(dir, 'acme', new Date(Date.now() + 8 * 3600 * 1000).toISOString());
  writeToken(dir, 'lapsed', new Date(Date.now() - 3600 * 1000).toISOString());
  // A token the portal no longer accepts (signed out elsewhere), though not yet expired here.
  writeToken(dir, 'revoked', new Date(Date.now() + 3600 * 1000).toISOString(), 'signed-out-token');
  // No key variables: the SSO profile is the only way to the base user.
  env = userEnv(aws, dir, {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_CONFIG_FILE: path.join(dir, '.aws', 'config'),
    AWS_ENDPOINT_URL_SSO: portal.endpoint,
  });
});

after(async () => {
  await aws?.stop();
  await portal?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `serverless-access-roles args` in the store's directory. */
function bin(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('an SSO profile as the base identity', { concurrency: true }, () => {
  test('credential-process resolves the access role from the SSO login', async () => {
    const run = await bin(['credential-process', '--app', 'payments', '--stage', 'dev', BASE_PROFILE_OPTION, 'acme-sso', '--no-cache']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(JSON.parse(run.stdout).AccessKeyId, /^ASIA/);
    assert.ok(portal.requests.includes('/federation/credentials'), 'the portal was asked');
  });

  test('exec runs the aws CLI on the role, the SSO profile as base', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', BASE_PROFILE_OPTION, 'acme-sso', '--no-cache', '--', AWS_CLI, 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout.trim(), ROLE_SESSION);
    assert.match(run.stderr, /base identity AWS profile "acme-sso"/);
  });

  const FAILED_LOGINS = [
    ['lapsed-sso', '--sso-session lapsed'],
    ['never-logged-in', '--sso-session nobody'],
    ['revoked-sso', '--sso-session revoked'],
    ['legacy-sso', '--profile legacy-sso'],
  ];
  for (const [profile, login] of FAILED_LOGINS) {
    test(`${profile}: one line saying to run aws sso login ${login}`, async () => {
      const run = await bin(['credential-process', '--app', 'payments', '--stage', 'dev', BASE_PROFILE_OPTION, profile, '--no-cache']);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], new RegExp(`^serverless-access-roles: E_NO_BASE_CREDENTIALS: .*run \`aws sso login ${login}\`$`));
      assert.doesNotMatch(run.stderr, /\bat \S+:\d+/, 'no stack trace');
    });
  }
});
