'use strict';
// What the plugin reads from serverless.yml and the environment, and what `access-role show`
// tells from the store, run by the real CLIs against moto with IAM enforced
// (./helpers/localaws.js). Needs `bash scripts/setup-python.sh`.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { runChecked, withExampleService, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

const ACCOUNT = '123456789012';
const DENIED_DESCRIBE = `User: arn:aws:iam::${ACCOUNT}:user/deployer is not authorized to perform: cloudformation:DescribeStacks`;

let aws;
let home;

/** Runs `args` and asserts the exit status and that no secret key was printed. */
const run = (service, args, options) => runChecked(aws, service, args, options);

/** A test on a fresh copy of the example service, removed afterwards. */
const withService = (cli, options, body) => withExampleService(aws, cli, { home, ...options }, body);

useLocalAwsAndHome(async (started) => {
  ({ aws, home } = started);
  // One run per CLI fills the shared home's schema cache before the tests run in parallel.
  await Promise.all(Object.keys(CLIS).map((cli) => withService(cli, {}, (service) => run(service, ['access-role', 'show']))));
});

describe('settings and show', { concurrency: true }, () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: an AWS variable in custom.accessRoles gets the plugin's message, for its own commands too`, () =>
      withService(cli, { edit: (doc) => doc.setIn(['custom', 'accessRoles', 'app'], '${ssm:/payments/app}') }, async (service) => {
        for (const args of [['access-role', 'show'], ['info']]) {
          const { output } = await run(service, args, { ok: false });
          assert.match(
            output,
            /custom\.accessRoles\.app is "\$\{ssm:\/payments\/app\}" when the plugin reads it: that is \$\{ssm:…\}, an AWS variable source, which needs the AWS credentials this plugin sets up\. Use a plain value there, or env:, opt:, self:, file: or sls: variables/,
          );
          assert.ok(!/FORBIDDEN|not authorized|\n +at /.test(output), output);
        }
      }));
  }

  test('SERVERLESS_ACCESS_ROLES_DISABLE=on opts out; an unclear value warns and keeps the role', () =>
    withService('osls', {}, async (service) => {
      const off = await run(service, ['info'], { ok: false, env: { SERVERLESS_ACCESS_ROLES_DISABLE: 'on' } });
      assert.match(off.output, /Access roles off \(SERVERLESS_ACCESS_ROLES_DISABLE=on\)/);
      assert.ok(off.output.includes(DENIED_DESCRIBE), off.output);

      const unclear = await run(service, ['access-role', 'test'], { env: { SERVERLESS_ACCESS_ROLES_DISABLE: 'maybe' } });
      assert.match(unclear.output, /SERVERLESS_ACCESS_ROLES_DISABLE="maybe" is not understood, so access roles stay on; use 1, true, yes or on/);
      assert.match(unclear.stdout, /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\//m);
    }));

  test('no profile: a warning that names required: true', () =>
    withService(
      'osls',
      { edit: (doc) => doc.setIn(['custom', 'accessRoles'], doc.createNode({ app: 'billing' })) },
      async (service) => {
        const { output } = await run(service, ['info'], { ok: false });
        assert.match(output, /no deployment profile for app `billing` stage `dev`/);
        assert.match(output, /Using the framework's own AWS credentials\. Set custom\.accessRoles\.required: true to make this an error instead\./);
      },
    ));

  test('show tells the chain, MFA device, source identity, session tags and policy size', () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    const store = [
      'profiles:',
      '  hub:',
      `    roleArn: ${aws.seed.roles.hub}`,
      `    mfaSerial: arn:aws:iam::${ACCOUNT}:mfa/deployer`,
      '  sandbox:',
      `    roleArn: ${aws.seed.roles.chained}`,
      '    via: hub',
      '    sourceIdentity: "{user}"',
      '    sessionTags: { team: payments, env: dev }',
      '    transitiveTagKeys: [team]',
      `    policy: ${JSON.stringify(policy)}`,
      '  plain:',
      `    roleArn: ${aws.seed.roles.deploy}`,
      'apps:',
      '  payments:',
      '    defaultProfile: sandbox',
      '    stages: { qa: plain }',
      '',
    ].join('\n');
    return withService('osls', { store }, async (service) => {
      const { stdout } = await run(service, ['access-role', 'show']);
      assert.match(stdout, new RegExp(`^Via: +${aws.seed.roles.hub} → the role$`, 'm'));
      assert.match(stdout, new RegExp(`^MFA device: +arn:aws:iam::${ACCOUNT}:mfa/deployer$`, 'm'));
      assert.match(stdout, /^Source identity: +\S+$/m);
      assert.match(stdout, /^Session tags: +env, team$/m);
      assert.match(stdout, /^Transitive tags: +team$/m);
      assert.match(stdout, new RegExp(`^Session policy: +${JSON.stringify(policy).length} characters$`, 'm'));

      const plain = await run(service, ['access-role', 'show', '--stage', 'qa']);
      for (const label of ['Via', 'MFA device', 'Source identity', 'Session tags', 'Transitive tags', 'Session policy']) {
        assert.ok(!plain.stdout.includes(`${label}:`), `${label} shown for a plain profile:\n${plain.stdout}`);
      }
    });
  });
});
