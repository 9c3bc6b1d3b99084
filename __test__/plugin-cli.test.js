'use strict';
// The plugin run by the real CLIs, serverless v3 and osls 4, on a copy of examples/ against
// moto with IAM enforced (./helpers/localaws.js): the base user may only assume roles, so
// whatever succeeds here ran on the access role's keys. Needs `bash scripts/setup-python.sh`.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const YAML = require('yaml');
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} = require('@aws-sdk/client-cloudformation');
const { awsClient, useLocalAwsAndHome } = require('./helpers/harness');
const { createService, runChecked, withExampleService, CLIS } = require('./helpers/serverless');

const ACCOUNT = '123456789012';
const DEPLOY_SESSION = new RegExp(`arn:aws:sts::${ACCOUNT}:assumed-role/serverless-deploy/\\S+`);
const DENIED_DESCRIBE = `User: arn:aws:iam::${ACCOUNT}:user/deployer is not authorized to perform: cloudformation:DescribeStacks`;

let aws;
let home; // shared by every CLI run of this file, see createHome

const client = (Client, credentials) => awsClient(aws, Client, credentials);

/** Keys of `roleArn`, assumed by the base user. */
async function assume(roleArn, extra = {}) {
  const base = { accessKeyId: aws.seed.baseUser.accessKeyId, secretAccessKey: aws.seed.baseUser.secretAccessKey };
  const { Credentials: c, AssumedRoleUser } = await client(STSClient, base).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'plugin-cli-test', ...extra }),
  );
  return { keys: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, arn: AssumedRoleUser.Arn };
}

/** Creates a stack with the deploy role's keys (the base user may not) and waits for it. */
async function createStack(name, template) {
  const { keys } = await assume(aws.seed.roles.deploy);
  const cloudFormation = client(CloudFormationClient, keys);
  await cloudFormation.send(
    new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template), Capabilities: ['CAPABILITY_NAMED_IAM'] }),
  );
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
  assert.equal(Stacks[0].StackStatus, 'CREATE_COMPLETE', `stack ${name}`);
  return Stacks[0];
}

/** No secret of the base user, and nothing shaped like a secret key, in a CLI's output. */
function assertNoSecrets(output) {
  assert.ok(!output.includes(aws.seed.baseUser.secretAccessKey), 'base secret printed');
  assert.doesNotMatch(output, /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/, 'something like a secret key printed');
}

/** Runs `args` and asserts the exit status and that nothing like a secret key was printed. */
async function run(service, args, options) {
  const result = await runChecked(aws, service, args, options);
  assertNoSecrets(result.output);
  return result;
}

/** A test on a fresh copy of the example service, removed afterwards. */
const withService = (cli, options, body) => withExampleService(aws, cli, { home, ...options }, body);

useLocalAwsAndHome(async (started) => {
  ({ aws, home } = started);
  // What `serverless deploy` would have left for stage dev; `info` only reads it.
  await createStack('payments-dev', {
    Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: { ServerlessDeploymentBucketName: { Value: 'payments-dev-serverlessdeploymentbucket' } },
  });
  // One run per CLI fills the shared home's schema cache before the tests run in parallel.
  await Promise.all(Object.keys(CLIS).map((cli) => withService(cli, {}, (service) => run(service, ['access-role', 'show']))));
});

describe('the plugin in the real CLIs', { concurrency: true }, () => {
  // serverless v3's deploy through serverless-localstack stops on moto at the artifact upload
  // ("The specified bucket does not exist"), before any access-role question; osls deploys.
  test('osls deploys on the access role, and serverless v3 info then reads the stack', async () => {
    const [osls, serverless] = await Promise.all(['osls', 'serverless'].map((cli) => createService(aws, cli, { home })));
    try {
      const deploy = await run(osls, ['deploy', '--stage', 'qa']);
      assert.match(deploy.output, /Service deployed to stack payments-qa/);
      const info = await run(serverless, ['info', '--stage', 'qa']);
      assert.match(info.stdout, /^ +hello: payments-qa-hello$/m);
    } finally {
      await Promise.all([osls.remove(), serverless.remove()]);
    }
  });

  for (const cli of Object.keys(CLIS)) {
    describe(CLIS[cli].label, { concurrency: 2 }, () => {
      test('access-role test assumes the role and the framework client answers as it', () =>
        withService(cli, {}, async (service) => {
          const { stdout, stderr } = await run(service, ['access-role', 'test']);
          assert.match(stdout, new RegExp(`^Profile: +sandbox$`, 'm'));
          assert.match(stdout, new RegExp(`^Role: +arn:aws:iam::${ACCOUNT}:role/serverless-deploy$`, 'm'));
          assert.match(stdout, new RegExp(`^Assumed identity: +${DEPLOY_SESSION.source}$`, 'm'));
          assert.match(stdout, /^Keys expire: +\d{4}-\d\d-\d\dT\S+Z \(in (59|60) min\)$/m);
          assert.match(stderr, /The framework uses the access role\./);
        }));

      test('info reads the stack on the role, and fails on the base user when opted out', () =>
        withService(cli, {}, async (service) => {
          const [info, flag] = await Promise.all([
            run(service, ['info']),
            run(service, ['info', '--use-local-credentials'], { ok: false }),
          ]);
          assert.match(info.stdout, /^stack: payments-dev$/m);
          assert.match(info.stderr, /Access role: payments\/dev → profile "sandbox" \(apps\.payments\.defaultProfile\) → arn:aws:iam::\d+:role\/serverless-deploy; keys /);
          assert.match(flag.output, /Access roles off \(--use-local-credentials\)/);
          assert.ok(flag.output.includes(DENIED_DESCRIBE), flag.output);
        }));

      // Framework-independent paths (settings, native errors): one CLI is enough, the fast one.
      const fastCliOnly = cli === 'osls' ? test : () => {};

      fastCliOnly('SERVERLESS_ACCESS_ROLES_DISABLE=1 opts out too', () =>
        withService(cli, {}, async (service) => {
          const { output } = await run(service, ['info'], { ok: false, env: { SERVERLESS_ACCESS_ROLES_DISABLE: '1' } });
          assert.match(output, /Access roles off \(SERVERLESS_ACCESS_ROLES_DISABLE=1\)/);
          assert.ok(output.includes(DENIED_DESCRIBE), output);
        }));

      test('no profile: an error when required, else a notice and the framework credentials', () =>
        withService(cli, { edit: (doc) => doc.setIn(['custom', 'accessRoles', 'app'], 'billing') }, async (service) => {
          const required = await run(service, ['info'], { ok: false });
          assert.match(required.output, /no deployment profile for app `billing` stage `dev`/);
          assert.match(required.output, /custom\.accessRoles\.required is true/);
          assert.ok(!required.output.includes('not authorized'), 'must stop before any AWS call');

          const config = await service.readConfig();
          await service.writeConfig(config.replace(/^ *required: true\n/m, ''));
          const optional = await run(service, ['info'], { ok: false });
          assert.match(optional.output, /no deployment profile for app `billing` stage `dev`/);
          assert.match(optional.output, /Using the framework's own AWS credentials\./);
          assert.ok(optional.output.includes(DENIED_DESCRIBE), optional.output);
        }));

      test('a ${secrets:…} variable fails with the migration message', () =>
        withService(cli, { edit: (doc) => doc.setIn(['provider', 'credentials'], '${secrets:aws-prod}') }, async (service) => {
          const { output } = await run(service, ['info'], { ok: false });
          assert.match(output, /"provider\.credentials" in serverless\.yml uses a \$\{secrets:…\} variable/);
          assert.match(output, /Delete that line, then link the role ARN to a profile: serverless access-role link/);
        }));

      // Only serverless v3 still has the Dashboard that `org` switches on.
      const dashboardCliOnly = cli === 'serverless' ? test : () => {};

      dashboardCliOnly('org turns the Dashboard on: a notice says so, the access role still applies', () =>
        withService(cli, { edit: (doc) => doc.set('org', 'acme') }, async (service) => {
          const { output, stdout } = await run(service, ['info']);
          assert.match(output, /"org: acme" turns the Serverless Dashboard on, which asks you to log in/);
          assert.match(stdout, /^stack: payments-dev$/m);
        }));

      fastCliOnly('a role that does not trust the base user fails with the native access-denied error', () =>
        withService(cli, {}, async (service) => {
          const { output } = await run(service, ['info', '--stage', 'prod'], { ok: false });
          assert.match(output, /Access roles: .*someone-elses-role/);
          assert.ok(!output.includes('stack: payments-prod'));
        }));

      test('link writes profile and stage mapping keeping comments; show and test read them back', () =>
        withService(cli, {}, async (service) => {
          const before = await service.readStore();
          const link = await run(service, [
            'access-role', 'link', '--profile', 'billing', '--role-arn', aws.seed.roles.deployExternalId,
            '--external-id', aws.seed.externalId, '--stage', 'qa',
          ]);
          assert.match(link.output, /Updated .*access-roles\.yml: profile "billing" .*apps\.payments\.stages\.qa/);

          const after = await service.readStore();
          for (const line of before.split('\n').filter((l) => l.trim().startsWith('#'))) {
            assert.ok(after.includes(line), `comment lost: ${line}`);
          }
          const store = YAML.parse(after);
          assert.deepEqual(store.profiles.billing, { roleArn: aws.seed.roles.deployExternalId, externalId: aws.seed.externalId });
          assert.equal(store.apps.payments.stages.qa, 'billing');
          assert.equal(store.apps.payments.stages.prod, 'production', 'other mappings kept');

          const [show, test] = await Promise.all([
            run(service, ['access-role', 'show', '--stage', 'qa']),
            run(service, ['access-role', 'test', '--stage', 'qa']),
          ]);
          assert.match(show.stdout, /^Chosen by: +apps\.payments\.stages\.qa$/m);
          assert.match(show.stdout, /^Profile: +billing$/m);
          assert.match(show.stdout, new RegExp(`^Role: +${aws.seed.roles.deployExternalId}$`, 'm'));
          assert.match(show.stdout, new RegExp(`^External ID: +${aws.seed.externalId}$`, 'm'));
          // moto denies a wrong ExternalId, so this also proves the linked one is sent.
          assert.match(test.stdout, /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy-ext\/\S+$/m);
        }));

      fastCliOnly('template allows sts:TagSession and sts:SetSourceIdentity when the profile sends them', () =>
        withService(
          cli,
          {
            store: [
              'profiles:',
              '  sandbox:',
              `    roleArn: ${aws.seed.roles.deploy}`,
              '    sessionTags: { team: payments }',
              '    sourceIdentity: "{user}"',
              'apps:',
              '  payments: { defaultProfile: sandbox }',
              '',
            ].join('\n'),
          },
          async (service) => {
            const { stdout, stderr } = await run(service, ['access-role', 'template', '--principal', aws.seed.baseUser.arn]);
            const [trust] = YAML.parse(stdout).Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement;
            assert.deepEqual(trust.Action, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
            assert.match(stderr, /The trust policy allows sts:TagSession \(session tags\) and sts:SetSourceIdentity \(source identity\), as profile "sandbox" sends them\./);
          },
        ));

      test('template trusts the base identity found through the framework, and deploys', () =>
        withService(cli, {}, async (service) => {
          const roleName = `deploy-from-${cli}`;
          const { stdout } = await run(service, [
            'access-role', 'template', '--external-id', 'tmpl-ext', '--role-name', roleName,
          ]);
          const template = YAML.parse(stdout);
          const [trust] = template.Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement;
          assert.deepEqual(trust.Principal, { AWS: aws.seed.baseUser.arn });
          assert.deepEqual(trust.Condition, { StringEquals: { 'sts:ExternalId': 'tmpl-ext' } });

          const stack = await createStack(`deploy-role-${cli}`, template);
          const roleArn = stack.Outputs.find((o) => o.OutputKey === 'RoleArn').OutputValue;
          assert.equal(roleArn, `arn:aws:iam::${ACCOUNT}:role/${roleName}`);
          const { arn } = await assume(roleArn, { ExternalId: 'tmpl-ext' });
          assert.match(arn, new RegExp(`:assumed-role/${roleName}/`));
          await assert.rejects(assume(roleArn, { ExternalId: 'wrong' }), { name: 'AccessDenied' });
        }));
    });
  }
});
