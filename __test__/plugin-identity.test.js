'use strict';
// Who the plugin runs a command as, through the real CLIs (serverless v3 and osls 4) against moto
// with IAM enforced: `--aws-profile` is the only base identity even beside key variables, a store
// named by SERVERLESS_ACCESS_ROLES_CONFIG that is missing stops the command, and the plugin's
// line says which profile, rule, role and base identity answered.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startLocalAws, baseProfile } = require('./helpers/localaws');
const { createHome, runChecked, withExampleService, CLIS } = require('./helpers/serverless');

const DEPLOY_SESSION = /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/m;

let aws;
let home;
let credentialsFile;

before(async () => {
  aws = await startLocalAws();
  home = await createHome();
  // The base user as the AWS profile `base`; the key variables hold the admin, whom the deploy
  // role does not trust.
  credentialsFile = path.join(home.dir, 'identity-credentials');
  fs.writeFileSync(credentialsFile, baseProfile(aws.seed), { mode: 0o600 });
});

after(async () => {
  await aws?.stop();
  await home?.remove();
});

/** The admin's key variables beside the credentials file. */
function adminKeysBeside() {
  return {
    AWS_ACCESS_KEY_ID: aws.seed.adminUser.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.seed.adminUser.secretAccessKey,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
  };
}

for (const cli of Object.keys(CLIS)) {
  describe(CLIS[cli].label, { concurrency: 2 }, () => {
    test('--aws-profile is the only base identity, even with key variables set; a typo in it is an error', () =>
      withExampleService(aws, cli, { home }, async (service) => {
        const env = adminKeysBeside();
        const { stdout, stderr } = await runChecked(aws, service, ['access-role', 'test', '--aws-profile', 'base'], { env });
        assert.match(stdout, DEPLOY_SESSION);
        assert.match(stderr, /Access role: payments\/dev → profile "sandbox" \(apps\.payments\.defaultProfile\) → arn:aws:iam::\d+:role\/serverless-deploy; keys fresh from STS, base identity AWS profile "base"/);
        const typo = await runChecked(aws, service, ['access-role', 'test', '--aws-profile', 'bse'], { ok: false, env });
        assert.match(typo.output, /AWS profile `bse` .+ defined there: `base`/);
        assert.doesNotMatch(typo.output, /Assumed identity/);
      }));

    test('a store named by SERVERLESS_ACCESS_ROLES_CONFIG that is missing stops the command', () =>
      withExampleService(aws, cli, { home }, async (service) => {
        const missing = path.join(service.dir, 'shared', 'access-roles.yml');
        const { output } = await runChecked(aws, service, ['info'], {
          ok: false,
          env: { SERVERLESS_ACCESS_ROLES_CONFIG: missing },
        });
        assert.match(output, /does not exist; SERVERLESS_ACCESS_ROLES_CONFIG names it/);
        assert.doesNotMatch(output, /Using the framework's own AWS credentials/);
      }));

    test('a stage near miss is warned about, naming the rule that chose the profile', () =>
      withExampleService(aws, cli, { home }, async (service) => {
        // serverless-localstack leaves unlisted stages to real AWS on v3: only the warning counts.
        const { output } = await service.run(['access-role', 'test', '--stage', 'prd']);
        assert.match(output, /stage "prd" of app "payments" has no mapping, so apps\.payments\.defaultProfile chose profile "sandbox"; did you mean stage "prod"\?/);
      }));
  });
}
