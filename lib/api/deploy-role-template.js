'use strict';

/** The role's name when none is given. */
const DEFAULT_ROLE_NAME = 'serverless-deploy';

/**
 * What a Serverless deployment does with the role's keys: CloudFormation drives the stack; the
 * framework itself uploads artifacts to the deployment bucket, reads stack outputs and
 * `${ssm:}` / `${cf:}` values, and CloudFormation acts with the caller's rights on the
 * resources a typical service declares. Broad on purpose, like the policy the Serverless docs
 * suggest; narrow it to the services you deploy. With a permissions boundary, `FunctionRoles`
 * gives way to functionRoleStatements'.
 */
const DEPLOY_STATEMENTS = [
  { Sid: 'CloudFormation', Effect: 'Allow', Action: ['cloudformation:*'], Resource: '*' },
  {
    Sid: 'DeploymentBuckets',
    Effect: 'Allow',
    Action: ['s3:*'],
    Resource: [
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*serverlessdeploymentbucket*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*serverlessdeploymentbucket*/*' },
    ],
  },
  {
    Sid: 'FunctionRoles',
    Effect: 'Allow',
    Action: [
      'iam:GetRole', 'iam:PassRole', 'iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole',
      'iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy',
      'iam:DetachRolePolicy', 'iam:TagRole', 'iam:UntagRole',
    ],
    Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' },
  },
  {
    Sid: 'ServiceResources',
    Effect: 'Allow',
    Action: [
      'lambda:*', 'logs:*', 'apigateway:*', 'events:*', 'sqs:*', 'sns:*', 'dynamodb:*',
      'states:*', 'cloudwatch:*', 'ecr:*', 'kinesis:*',
    ],
    Resource: '*',
  },
  { Sid: 'Lookups', Effect: 'Allow', Action: ['ssm:GetParameter*', 'sts:GetCallerIdentity'], Resource: '*' },
];

/**
 * The role actions IAM lets a policy tie to the permissions boundary of the role acted on
 * (the `iam:PermissionsBoundary` condition key); the other function-role actions cannot be, and
 * are scoped by role name only.
 */
const BOUNDARY_CONDITIONED_ACTIONS = [
  'iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy',
  'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary',
];

/** What `rolePrefix` may hold: IAM role-name characters, no wildcard (`*` is put after it). */
const ROLE_PREFIX = /^[\w+=,.@-]{1,63}$/;

/**
 * The statements on function roles. Without a boundary, DEPLOY_STATEMENTS' `FunctionRoles`:
 * every role action on every role of the account, which lets the role's holder make a role with
 * any policy and pass it on, that is, make itself admin. With one (`permissionsBoundary`,
 * `rolePrefix`):
 * - roles may be created, and their policies put, attached or removed, only when the role
 *   carries that boundary, and only under `rolePrefix` (what a role may do is then at most what
 *   the boundary allows);
 * - PassRole, tags, reads, updates and deletes only under `rolePrefix`;
 * - no role's boundary may be removed, and the boundary policy may not be changed or deleted.
 */
function functionRoleStatements(functionRoles, { permissionsBoundary, rolePrefix }) {
  if (!permissionsBoundary) return [functionRoles];
  const named = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${rolePrefix}*` };
  return [
    {
      Sid: 'FunctionRolesWithBoundary',
      Effect: 'Allow',
      Action: BOUNDARY_CONDITIONED_ACTIONS,
      Resource: named,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': permissionsBoundary } },
    },
    {
      Sid: 'FunctionRolesByName',
      Effect: 'Allow',
      Action: functionRoles.Action.filter((action) => !BOUNDARY_CONDITIONED_ACTIONS.includes(action)),
      Resource: named,
    },
    { Sid: 'BoundaryStays', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: '*' },
    {
      Sid: 'BoundaryPolicyUnchanged',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: permissionsBoundary,
    },
  ];
}

/**
 * A CloudFormation template (as an object, ready for YAML or JSON) creating the access role
 * that `serverless-access-roles` assumes to deploy: trusted by `principalArn` only, with an
 * `sts:ExternalId` condition when one is given, and a policy for Serverless deployments. Its
 * `RoleArn` output is what `serverless access-role link --role-arn` takes.
 *
 * STS checks further trust actions when AssumeRole carries more than the role: `sts:TagSession`
 * for session tags (`sessionTags`, `transitiveTagKeys`) and `sts:SetSourceIdentity` for a
 * `sourceIdentity`; the trust statement allows them when `tagSession` / `setSourceIdentity` say so.
 *
 * Without `permissionsBoundary` the role may create any role with any policy and pass it on:
 * whoever holds its keys can make themselves admin of the account. With it (an IAM policy ARN),
 * the role creates and changes only roles that carry that boundary, named `rolePrefix…`
 * (required then), and passes only those; see functionRoleStatements.
 *
 * @param {{ principalArn: string, externalId?: string, roleName?: string, tagSession?: boolean,
 *   setSourceIdentity?: boolean, permissionsBoundary?: string, rolePrefix?: string }} options
 * @returns {object}
 */
function deployRoleTemplate({
  principalArn, externalId, roleName = DEFAULT_ROLE_NAME, tagSession, setSourceIdentity, permissionsBoundary, rolePrefix,
}) {
  if (permissionsBoundary !== undefined && (typeof permissionsBoundary !== 'string' || !ROLE_PREFIX.test(rolePrefix || ''))) {
    throw Object.assign(
      new TypeError('invalid deployRoleTemplate: `permissionsBoundary` needs a `rolePrefix` of role-name characters (no `*`)'),
      { code: 'E_INVALID_ARGUMENT' },
    );
  }
  const boundary = { permissionsBoundary, rolePrefix };
  const statements = DEPLOY_STATEMENTS.flatMap((s) => (s.Sid === 'FunctionRoles' ? functionRoleStatements(s, boundary) : [s]));
  const actions = ['sts:AssumeRole'];
  if (tagSession) actions.push('sts:TagSession');
  if (setSourceIdentity) actions.push('sts:SetSourceIdentity');
  const trust = { Effect: 'Allow', Principal: { AWS: principalArn }, Action: actions.length === 1 ? actions[0] : actions };
  if (externalId) trust.Condition = { StringEquals: { 'sts:ExternalId': externalId } };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Access role for Serverless deployments, assumed by serverless-access-roles',
    Resources: {
      DeployRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: roleName,
          // Lets profiles ask for keys living up to 12 hours (durationSeconds); the default is 1.
          MaxSessionDuration: 43200,
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trust] },
          Policies: [
            {
              PolicyName: 'serverless-deploy',
              PolicyDocument: { Version: '2012-10-17', Statement: statements },
            },
          ],
        },
      },
    },
    Outputs: {
      RoleArn: {
        Description: 'serverless access-role link --role-arn <this>',
        Value: { 'Fn::GetAtt': ['DeployRole', 'Arn'] },
      },
    },
  };
}

deployRoleTemplate.DEFAULT_ROLE_NAME = DEFAULT_ROLE_NAME;
/** What a `rolePrefix` may hold, for callers that check it first (the plugin's --role-prefix). */
deployRoleTemplate.ROLE_PREFIX = ROLE_PREFIX;

module.exports = deployRoleTemplate;
