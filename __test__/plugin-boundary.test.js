'use strict';
// The least-privilege access role: `template` and `link --create` with --permissions-boundary.
// The template is checked statically (which statements, conditions and resources), then a stack
// made with the boundary by `link --create` is deployed on moto with IAM enforced
// (./helpers/localaws.js) by an admin, and the base user assumes the role it made.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const YAML = require('yaml');
const { CloudFormationClient, GetTemplateCommand } = require('@aws-sdk/client-cloudformation');
const deployRoleTemplate = require('../lib/api/deploy-role-template');
const { runChecked, withExampleService } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

const ACCOUNT = '123456789012';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/deploy-boundary`;
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/deployer`;

/** The role policy's statements, by Sid. */
function statements(template) {
  const [policy] = template.Resources.DeployRole.Properties.Policies;
  return Object.fromEntries(policy.PolicyDocument.Statement.map((s) => [s.Sid, s]));
}

/** Every Allow statement that names an iam: action, flattened to [action, statement]. */
function iamAllows(template) {
  return Object.values(statements(template))
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [].concat(s.Action).filter((a) => a.startsWith('iam:')).map((a) => [a, s]));
}

describe('the template, statically', () => {
  test('without a boundary, every role action on every role of the account (it can make itself admin)', () => {
    const allows = iamAllows(deployRoleTemplate({ principalArn: PRINCIPAL }));
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PassRole']) {
      const found = allows.find(([a]) => a === action);
      assert.ok(found, action);
      assert.deepEqual(found[1].Resource, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' });
      assert.equal(found[1].Condition, undefined);
    }
  });

  test('with a boundary: create and policy changes only on roles carrying it, everything only under the prefix', () => {
    const template = deployRoleTemplate({ principalArn: PRINCIPAL, permissionsBoundary: BOUNDARY, rolePrefix: 'payments-dev-' });
    const scoped = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/payments-dev-*' };
    const allows = iamAllows(template);
    assert.ok(allows.length > 0);
    for (const [action, statement] of allows) assert.deepEqual(statement.Resource, scoped, `${action} is scoped to the prefix`);
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary']) {
      const found = allows.filter(([a]) => a === action);
      assert.equal(found.length, 1, action);
      assert.deepEqual(found[0][1].Condition, { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } }, `${action} needs the boundary`);
    }
    assert.ok(allows.some(([a]) => a === 'iam:PassRole'), 'PassRole, on the prefix only');
    const { BoundaryStays, BoundaryPolicyUnchanged } = statements(template);
    assert.deepEqual(BoundaryStays, { Sid: 'BoundaryStays', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: '*' });
    assert.equal(BoundaryPolicyUnchanged.Effect, 'Deny');
    assert.equal(BoundaryPolicyUnchanged.Resource, BOUNDARY);
    assert.deepEqual(BoundaryPolicyUnchanged.Action.sort(), ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion']);
    // The rest of the deploy policy is the same as without a boundary.
    const plain = statements(deployRoleTemplate({ principalArn: PRINCIPAL }));
    for (const sid of ['CloudFormation', 'DeploymentBuckets', 'ServiceResources', 'Lookups']) assert.deepEqual(statements(template)[sid], plain[sid], sid);
  });

  test('a boundary needs a role prefix of role-name characters, never a wildcard', () => {
    for (const rolePrefix of [undefined, '', '*', 'a*', 'x${AWS::AccountId}', 'a'.repeat(64)]) {
      assert.throws(() => deployRoleTemplate({ principalArn: PRINCIPAL, permissionsBoundary: BOUNDARY, rolePrefix }), {
        name: 'TypeError',
        code: 'E_INVALID_ARGUMENT',
      });
    }
  });
});

let aws;
let home;

useLocalAwsAndHome((started) => ({ aws, home } = started));

/** The admin's keys, for a CLI run. */
function asAdmin() {
  return { AWS_ACCESS_KEY_ID: aws.seed.adminUser.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.seed.adminUser.secretAccessKey };
}

const run = (service, args, options) => runChecked(aws, service, args, options);

describe('--permissions-boundary through the CLI (osls 4)', { concurrency: true }, () => {
  test('template: the default prefix is the service and stage; bad values are refused naming the option', () =>
    withExampleService(aws, 'osls', { home }, async (service) => {
      const args = ['access-role', 'template', '--principal', PRINCIPAL, '--permissions-boundary', BOUNDARY];
      const staged = await run(service, [...args, '--stage', 'qa']);
      assert.equal(statements(YAML.parse(staged.stdout)).FunctionRolesByName.Resource['Fn::Sub'], 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/payments-qa-*');
      assert.match(staged.stderr, new RegExp(`--permissions-boundary ${BOUNDARY} --role-prefix payments-qa-\\)`));
      const whole = await run(service, args);
      assert.equal(statements(YAML.parse(whole.stdout)).FunctionRolesByName.Resource['Fn::Sub'], 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/payments-*');

      const badArn = await run(service, ['access-role', 'template', '--principal', PRINCIPAL, '--permissions-boundary', 'deploy-boundary'], { ok: false });
      assert.match(badArn.output, /--permissions-boundary "deploy-boundary" is not an IAM policy ARN[^\n]* \(ACCESS_ROLES_INVALID_OPTION\)$/m);
      const star = await run(service, [...args, '--role-prefix', '*'], { ok: false });
      assert.match(star.output, /--role-prefix "\*" is not the start of an IAM role name/);
      const itself = await run(service, [...args, '--role-name', 'payments-deploy'], { ok: false });
      assert.match(itself.output, /The access role "payments-deploy" starts with the role prefix "payments-", so it could pass, tag and delete itself/);
      // Linking an existing role cannot bound it: the option is refused, not ignored.
      const existing = await run(service, ['access-role', 'link', '--profile', 'p', '--role-arn', aws.seed.roles.deploy, '--permissions-boundary', BOUNDARY], { ok: false });
      assert.match(existing.output, /--permissions-boundary only works with --create/);
      const alone = await run(service, ['access-role', 'template', '--principal', PRINCIPAL, '--role-prefix', 'payments-'], { ok: false });
      assert.match(alone.output, /--role-prefix scopes the roles a --permissions-boundary role may make: pass --permissions-boundary ARN too/);
    }));

  test('link --create deploys the bounded role on moto, links it, and the base user assumes it', () =>
    withExampleService(aws, 'osls', { home }, async (service) => {
      const profile = 'bounded';
      const stackName = `serverless-access-role-${profile}`;
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/${stackName}`;
      const args = [
        'access-role', 'link', '--create', '--profile', profile, '--stage', 'qa', '--principal', aws.seed.baseUser.arn,
        '--permissions-boundary', BOUNDARY, '--role-prefix', 'payments-qa-',
      ];
      const created = await run(service, args, { env: asAdmin() });
      assert.match(created.output, new RegExp(`Stack ${stackName}: created, role ${roleArn}`));
      assert.equal(YAML.parse(await service.readStore()).profiles[profile].roleArn, roleArn);

      const admin = { accessKeyId: aws.seed.adminUser.accessKeyId, secretAccessKey: aws.seed.adminUser.secretAccessKey };
      const cloudFormation = new CloudFormationClient({ endpoint: aws.endpoint, region: aws.seed.region, credentials: admin });
      const { TemplateBody } = await cloudFormation.send(new GetTemplateCommand({ StackName: stackName }));
      const deployed = statements(YAML.parse(TemplateBody));
      assert.deepEqual(deployed.FunctionRolesWithBoundary.Condition, { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } });
      assert.equal(deployed.FunctionRoles, undefined, 'no unbounded role statement deployed');

      const tested = await run(service, ['access-role', 'test', '--stage', 'qa']);
      assert.match(tested.stdout, new RegExp(`^Assumed identity: +arn:aws:sts::${ACCOUNT}:assumed-role/${stackName}/\\S+$`, 'm'));
    }));
});
