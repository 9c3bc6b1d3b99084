'use strict';
// `access-role link` and `template` run by the real CLIs, serverless v3 and osls 4, against moto
// with IAM enforced. For `link --create`, an admin (cloudformation:*, iam:*) deploys the access role's stack and links
// it; the base user, who may only assume roles, then uses it. Requests are counted on the
// server with moto's recorder. Needs `bash scripts/setup-python.sh`.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const YAML = require('yaml');
const { CloudFormationClient, CreateStackCommand, CreateChangeSetCommand } = require('@aws-sdk/client-cloudformation');
const { adminProfile } = require('./helpers/localaws');
const { runChecked, withExampleService, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

const ACCOUNT = '123456789012';

let aws;
let home;

/** The admin's keys, for a CLI run. */
function asAdmin() {
  return { AWS_ACCESS_KEY_ID: aws.seed.adminUser.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.seed.adminUser.secretAccessKey };
}

/** A CloudFormation client of the admin user, for stacks the tests set up by hand. */
function adminCloudFormation() {
  const credentials = { accessKeyId: aws.seed.adminUser.accessKeyId, secretAccessKey: aws.seed.adminUser.secretAccessKey };
  return new CloudFormationClient({ endpoint: aws.endpoint, region: aws.seed.region, credentials });
}

/** Runs `args` and asserts the exit status and that no secret key was printed. */
const run = (service, args, options) => runChecked(aws, service, args, options);

/** CloudFormation requests the server received for one stack, by action (`UpdateStack`, …). */
async function stackRequests(stackName) {
  const actions = [];
  for (const { body } of await aws.recorder.requests()) {
    const params = new URLSearchParams(body);
    if (params.get('StackName') === stackName) actions.push(params.get('Action'));
  }
  return actions;
}

/** A test on a fresh copy of the example service, removed afterwards. */
const withService = (cli, body) => withExampleService(aws, cli, { home }, body);

useLocalAwsAndHome(async (started) => {
  ({ aws, home } = started);
  await aws.recorder.start();
  // One run per CLI fills the shared home's schema cache before the tests run in parallel.
  await Promise.all(Object.keys(CLIS).map((cli) => withService(cli, (service) => run(service, ['access-role', 'show']))));
});

describe('access-role link --create', { concurrency: true }, () => {
  for (const cli of Object.keys(CLIS)) {
    describe(CLIS[cli].label, { concurrency: true }, () => {
      const profile = `linked-${cli}`;
      const stackName = `serverless-access-role-${profile}`;
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/${stackName}`;

      test('creates the stack as the admin and links it; the base user then tests it; a second run changes nothing', () =>
        withService(cli, async (service) => {
          const args = ['access-role', 'link', '--create', '--profile', profile, '--stage', 'qa', '--principal', aws.seed.baseUser.arn];
          const created = await run(service, args, { env: asAdmin() });
          assert.match(created.output, new RegExp(`Stack ${stackName}: created, role ${roleArn}, trusting ${aws.seed.baseUser.arn}\\.`));
          assert.match(created.output, new RegExp(`Updated .*access-roles\\.yml: profile "${profile}" \\(${roleArn}\\), apps\\.payments\\.stages\\.qa\\.`));
          assert.match(created.output, new RegExp(`profile "${profile}" \\(new\\): roleArn ${roleArn}`));
          assert.match(
            created.output,
            new RegExp(`The role trusts ${aws.seed.baseUser.arn}, not you \\(${aws.seed.adminUser.arn}\\): that identity checks it with serverless access-role test --stage qa`),
          );
          const store = await service.readStore();
          assert.equal(YAML.parse(store).profiles[profile].roleArn, roleArn);
          assert.equal(YAML.parse(store).apps.payments.stages.qa, profile);

          const tested = await run(service, ['access-role', 'test', '--stage', 'qa']);
          assert.match(tested.stdout, new RegExp(`^Assumed identity: +arn:aws:sts::${ACCOUNT}:assumed-role/${stackName}/\\S+$`, 'm'));

          const again = await run(service, args, { env: asAdmin() });
          assert.match(again.output, new RegExp(`Stack ${stackName}: no changes`));
          assert.match(again.output, /access-roles\.yml: no changes/);
          assert.equal(await service.readStore(), store, 'store rewritten');
          const actions = await stackRequests(stackName);
          assert.equal(actions.filter((a) => a === 'CreateStack').length, 1, actions.join());
          assert.ok(!actions.includes('UpdateStack'), actions.join());
        }));

      test('--dry-run prints stack, template and store change, and sends no request', () =>
        withService(cli, async (service) => {
          const before = await service.readStore();
          // Keys no other test uses: any request this run made would be recorded under them.
          const keyId = `AKIADRYRUN${cli.toUpperCase().padEnd(10, 'X')}`;
          const { stdout, output } = await run(
            service,
            ['access-role', 'link', '--create', '--dry-run', '--profile', 'dry', '--external-id', 'dry-ext-1', '--principal', aws.seed.baseUser.arn],
            { env: { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: 'dry-run-secret-not-used-anywhere' } },
          );
          assert.match(output, /Dry run: no AWS call, nothing deployed or written\./);
          assert.match(stdout, /^Stack: +serverless-access-role-dry \(region us-east-1\)/m);
          assert.match(stdout, /^ +profile "dry" \(new\): roleArn <RoleArn output of stack serverless-access-role-dry>$/m);
          assert.match(stdout, /^ +profile "dry" \(new\): externalId dry-ext-1$/m);
          assert.match(stdout, /^ +apps\.payments\.defaultProfile: sandbox → dry$/m);
          const template = YAML.parse(stdout.slice(stdout.indexOf('Template:\n') + 'Template:\n'.length));
          const [trust] = template.Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement;
          assert.deepEqual(trust.Principal, { AWS: aws.seed.baseUser.arn });
          assert.deepEqual(trust.Condition, { StringEquals: { 'sts:ExternalId': 'dry-ext-1' } });
          assert.equal(template.Resources.DeployRole.Properties.RoleName, 'serverless-access-role-dry');

          // --stack-name alone names the role too, as --help says; --role-name alone keeps the profile's stack.
          const named = await run(service, ['access-role', 'link', '--create', '--dry-run', '--profile', 'dry', '--stack-name', 'team-stack', '--principal', aws.seed.baseUser.arn], {
            env: { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: 'dry-run-secret-not-used-anywhere' },
          });
          assert.match(named.stdout, /^Stack: +team-stack \(region/m);
          assert.match(named.stdout, /^Role: +team-stack$/m);
          const byRole = await run(service, ['access-role', 'link', '--create', '--dry-run', '--profile', 'dry', '--role-name', 'team.role', '--principal', aws.seed.baseUser.arn], {
            env: { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: 'dry-run-secret-not-used-anywhere' },
          });
          assert.match(byRole.stdout, /^Stack: +serverless-access-role-dry \(region/m);
          assert.match(byRole.stdout, /^Role: +team\.role$/m);

          const sent = (await aws.recorder.requests()).filter((r) => (r.headers.Authorization || '').includes(keyId));
          assert.equal(sent.length, 0, `requests sent: ${sent.map((r) => r.url).join(', ')}`);
          assert.equal(await service.readStore(), before);
        }));

      test('a failing stack names the resource and leaves the store untouched', () =>
        withService(cli, async (service) => {
          const before = await service.readStore();
          // someone-elses-role exists outside any stack (seed_iam.py).
          const args = [
            'access-role', 'link', '--create', '--profile', `broken-${cli}`, '--role-name', 'someone-elses-role',
            '--principal', aws.seed.baseUser.arn,
          ];
          const failed = await run(service, args, { ok: false, env: asAdmin() });
          assert.match(failed.output, /DeployRole \(AWS::IAM::Role, role name "someone-elses-role"\)/);
          assert.match(failed.output, /someone-elses-role already exists/);
          assert.match(failed.output, /the profile store is unchanged/);
          assert.equal(await service.readStore(), before);

        }));
    });
  }

  // Framework-independent paths: one CLI is enough, the fast one.
  describe('checks (osls 4)', { concurrency: true }, () => {
    test('the caller who is the principal gets the assumed identity printed', () =>
      withService('osls', async (service) => {
        const { stdout, output } = await run(service, ['access-role', 'link', '--create', '--profile', 'self'], { env: asAdmin() });
        assert.match(output, new RegExp(`trusting ${aws.seed.adminUser.arn}\\.`));
        assert.match(stdout, new RegExp(`^Assumed identity: +arn:aws:sts::${ACCOUNT}:assumed-role/serverless-access-role-self/\\S+$`, 'm'));
        assert.match(output, /The access role works\. Later checks: serverless access-role test/);
      }));

    test('with --aws-profile beside key variables, the stack and the check run as that one identity', () =>
      withService('osls', async (service) => {
        // The key variables hold the base user (who may not create stacks); the admin is a profile.
        const credentials = path.join(service.dir, 'admin-credentials');
        await fs.promises.writeFile(credentials, adminProfile(aws.seed), { mode: 0o600 });
        const { stdout, output } = await run(service, ['access-role', 'link', '--create', '--profile', 'named', '--aws-profile', 'admin'], {
          env: { AWS_SHARED_CREDENTIALS_FILE: credentials },
        });
        assert.match(output, new RegExp(`trusting ${aws.seed.adminUser.arn}\\.`));
        assert.match(stdout, new RegExp(`^Assumed identity: +arn:aws:sts::${ACCOUNT}:assumed-role/serverless-access-role-named/\\S+$`, 'm'));
        assert.match(output, /The access role works\./);
      }));

    test('a stack not made by link --create is refused and left alone', () =>
      withService('osls', async (service) => {
        const cloudFormation = adminCloudFormation();
        await cloudFormation.send(
          new CreateStackCommand({
            StackName: 'someone-elses-stack',
            TemplateBody: JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }),
          }),
        );
        const before = await service.readStore();
        const { output } = await run(
          service,
          ['access-role', 'link', '--create', '--profile', 'foreign', '--stack-name', 'someone-elses-stack', '--principal', aws.seed.baseUser.arn],
          { ok: false, env: asAdmin() },
        );
        assert.match(output, /Stack someone-elses-stack exists but was not made by `access-role link --create` for profile "foreign"/);
        assert.deepEqual(await stackRequests('someone-elses-stack'), ['CreateStack', 'DescribeStacks']);
        assert.equal(await service.readStore(), before);
      }));

    test('a stack with an operation in progress is refused and left alone', () =>
      withService('osls', async (service) => {
        const cloudFormation = adminCloudFormation();
        // A change set of type CREATE holds a new stack in REVIEW_IN_PROGRESS until it is executed.
        await cloudFormation.send(
          new CreateChangeSetCommand({
            StackName: 'serverless-access-role-pending',
            ChangeSetName: 'pending',
            ChangeSetType: 'CREATE',
            TemplateBody: JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }),
            Tags: [{ Key: 'serverless-access-roles:profile', Value: 'pending' }],
          }),
        );
        const before = await service.readStore();
        const { output } = await run(service, ['access-role', 'link', '--create', '--profile', 'pending', '--principal', aws.seed.baseUser.arn], {
          ok: false,
          env: asAdmin(),
        });
        assert.match(output, /Stack serverless-access-role-pending is REVIEW_IN_PROGRESS: an operation on it has not finished/);
        const actions = await stackRequests('serverless-access-role-pending');
        assert.deepEqual(actions.filter((a) => /^(Create|Update)Stack$/.test(a)), []);
        assert.equal(await service.readStore(), before);
      }));

    test('bad input is refused before any request: no --profile, a --principal that is not an IAM ARN, a bad external id', () =>
      withService('osls', async (service) => {
        const before = await service.readStore();
        const noProfile = await run(service, ['access-role', 'link', '--create'], { ok: false, env: asAdmin() });
        assert.match(noProfile.output, /"access-role link" requires "--profile" option/);
        const principal = await run(service, ['access-role', 'link', '--create', '--profile', 'p', '--principal', 'deployer'], {
          ok: false,
          env: asAdmin(),
        });
        assert.match(principal.output, /--principal "deployer" is not an IAM ARN/);
        // A partition the store refuses, which role-inputs' own pattern let through.
        const partition = await run(service, ['access-role', 'link', '--create', '--profile', 'p', '--principal', 'arn:awsx:iam::123456789012:root'], {
          ok: false,
          env: asAdmin(),
        });
        assert.match(partition.output, /--principal "arn:awsx:iam::123456789012:root" is not an IAM ARN/);
        const externalId = await run(service, ['access-role', 'link', '--create', '--profile', 'p', '--external-id', 'bad id'], {
          ok: false,
          env: asAdmin(),
        });
        assert.match(externalId.output, /--external-id "bad id": externalId contains ' '/);
        const withoutCreate = await run(service, ['access-role', 'link', '--profile', 'p', '--role-arn', aws.seed.roles.deploy, '--dry-run'], {
          ok: false,
        });
        assert.match(withoutCreate.output, /--dry-run only works with --create/);
        const neither = await run(service, ['access-role', 'link', '--profile', 'p'], { ok: false });
        assert.match(neither.output, /access-role link needs --role-arn ARN \(the role to link\), or --create/);
        assert.deepEqual(await stackRequests('serverless-access-role-p'), []);
        assert.equal(await service.readStore(), before);
      }));
  });
});

describe('access-role link --role-arn and template (osls 4)', { concurrency: true }, () => {
  const roles = () => aws.seed.roles;

  test('link says what it changed, and its hint carries --stage and --app', () =>
    withService('osls', async (service) => {
      const repoint = await run(service, ['access-role', 'link', '--profile', 'sandbox', '--role-arn', roles().deployExternalId, '--external-id', aws.seed.externalId]);
      assert.match(repoint.output, new RegExp(`^ +profile "sandbox": roleArn ${roles().deploy} → ${roles().deployExternalId}$`, 'm'));
      assert.match(repoint.output, new RegExp(`^ +profile "sandbox": externalId ${aws.seed.externalId}$`, 'm'));
      assert.ok(!/apps\.payments\.defaultProfile:/.test(repoint.output), 'the mapping did not change');

      const billing = await run(service, ['access-role', 'link', '--profile', 'billing', '--role-arn', roles().deploy, '--app', 'billing', '--stage', 'qa']);
      assert.match(billing.output, /^ +apps\.billing\.stages\.qa: billing$/m);
      assert.match(billing.output, /Check it with: serverless access-role test --stage qa --app billing$/m);
      const tested = await run(service, ['access-role', 'test', '--stage', 'qa', '--app', 'billing']);
      assert.match(tested.stdout, /^Profile: +billing$/m);
      assert.match(tested.stdout, /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/m);
    }));

  test('a store named x.JSON is edited as JSON: the core decides the format, in any case', () =>
    withExampleService(aws, 'osls', { home, store: null, edit: (doc) => doc.setIn(['custom', 'accessRoles', 'configPath'], 'roles.JSON') }, async (service) => {
      fs.writeFileSync(path.join(service.dir, 'roles.JSON'), `${JSON.stringify({ profiles: { sandbox: { roleArn: roles().deploy } } }, null, 2)}\n`);
      const linked = await run(service, ['access-role', 'link', '--profile', 'billing', '--role-arn', roles().deploy, '--app', 'billing']);
      assert.match(linked.output, /^ +apps\.billing\.defaultProfile: billing$/m);
      const written = JSON.parse(fs.readFileSync(path.join(service.dir, 'roles.JSON'), 'utf8'));
      assert.deepEqual(written.apps, { billing: { defaultProfile: 'billing' } });
      assert.equal(written.profiles.billing.roleArn, roles().deploy);
    }));

  test('link refuses the names __proto__, constructor and prototype and leaves the store as it was', () =>
    withService('osls', async (service) => {
      const before = await service.readStore();
      for (const args of [['--profile', '__proto__', '--new-profile'], ['--profile', 'sandbox', '--app', 'constructor'], ['--profile', 'sandbox', '--stage', 'prototype']]) {
        const refused = await run(service, ['access-role', 'link', '--role-arn', roles().deploy, ...args], { ok: false });
        assert.match(refused.output, /(profile name `__proto__`|invalid app:|invalid stage:) is reserved \(a special key of JavaScript objects\)/, args.join(' '));
        assert.equal(await service.readStore(), before, args.join(' '));
      }
    }));

  test('link writes through a symlinked store to the shared file behind it, keeping its mode, owner and group', () =>
    withService('osls', async (service) => {
      const shared = path.join(service.dir, 'team', 'shared-store.yml');
      const link = path.join(service.dir, 'access-roles.yml');
      await fsp.mkdir(path.dirname(shared));
      await fsp.rename(link, shared);
      // Group-writable, which the umask (022) would cut from a new file's mode.
      await fsp.chmod(shared, 0o664);
      // A team's group where this user may give it (root, as in CI).
      const gid = process.getuid() === 0 ? 65534 : (await fsp.stat(shared)).gid;
      await fsp.chown(shared, process.getuid(), gid);
      await fsp.symlink(shared, link);
      await run(service, ['access-role', 'link', '--profile', 'billing', '--role-arn', roles().deploy, '--app', 'billing', '--new-profile']);
      assert.ok((await fsp.lstat(link)).isSymbolicLink(), 'the link is still a link');
      assert.equal(YAML.parse(await fsp.readFile(shared, 'utf8')).profiles.billing.roleArn, roles().deploy, 'the shared store has the edit');
      const after = await fsp.stat(shared);
      assert.deepEqual([after.mode & 0o7777, after.uid, after.gid], [0o664, process.getuid(), gid], 'and keeps its mode, owner and group');
      assert.deepEqual((await fsp.readdir(path.dirname(shared))), ['shared-store.yml'], 'no temporary file is left');
    }));

  test('link refuses a store with another hard link, and neither name changes', () =>
    withService('osls', async (service) => {
      const store = path.join(service.dir, 'access-roles.yml');
      const other = path.join(service.dir, 'dotfiles-store.yml');
      await fsp.link(store, other);
      const before = await service.readStore();
      const refused = await run(service, ['access-role', 'link', '--profile', 'billing', '--role-arn', roles().deploy, '--app', 'billing', '--new-profile'], { ok: false });
      assert.match(refused.output, /profile store .*access-roles\.yml: it has 2 hard links, and a rewrite would leave the others with the old text; make the other names symlinks to it/);
      assert.match(refused.output, /ACCESS_ROLES_STORE_FILE/);
      assert.equal(await service.readStore(), before);
      assert.equal(await fsp.readFile(other, 'utf8'), before);
      assert.equal((await fsp.stat(store)).nlink, 2);
    }));

  test('a new profile name close to an existing one needs --new-profile', () =>
    withService('osls', async (service) => {
      const before = await service.readStore();
      const typo = await run(service, ['access-role', 'link', '--profile', 'sandbx', '--role-arn', roles().deploy], { ok: false });
      assert.match(typo.output, /There is no profile "sandbx" in the store, but there is "sandbox": did you mean --profile sandbox\?/);
      assert.match(typo.output, /run the command again with --new-profile/);
      assert.equal(await service.readStore(), before);

      const meant = await run(service, ['access-role', 'link', '--profile', 'sandbx', '--role-arn', roles().deploy, '--new-profile']);
      assert.match(meant.output, new RegExp(`profile "sandbx" \\(new\\): roleArn ${roles().deploy}`));
      assert.equal(YAML.parse(await service.readStore()).profiles.sandbx.roleArn, roles().deploy);
    }));

  test('template checks its options by the store rules, and its hint gives stack, role ARN and link command', () =>
    withService('osls', async (service) => {
      const bad = await run(service, ['access-role', 'template', '--external-id', 'bad id'], { ok: false });
      assert.match(bad.output, /--external-id "bad id": externalId contains ' '; only letters, digits and _\+=,\.@:\/- are allowed/);
      const badName = await run(service, ['access-role', 'template', '--role-name', 'no spaces'], { ok: false });
      assert.match(badName.output, /--role-name "no spaces": role name in .* is not valid/);

      const { stdout, stderr } = await run(service, [
        'access-role', 'template', '--role-name', 'team-deploy', '--external-id', 'team-1', '--stage', 'qa', '--principal', aws.seed.baseUser.arn,
      ]);
      assert.equal(YAML.parse(stdout).Resources.DeployRole.Properties.RoleName, 'team-deploy');
      assert.match(stderr, /--stack-name team-deploy --capabilities CAPABILITY_NAMED_IAM/);
      assert.match(
        stderr,
        new RegExp(`It creates the role arn:aws:iam::${ACCOUNT}:role/team-deploy; then link it: serverless access-role link --profile NAME --role-arn arn:aws:iam::${ACCOUNT}:role/team-deploy --stage qa --external-id team-1$`, 'm'),
      );
    }));
});
