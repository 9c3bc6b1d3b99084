'use strict';

/** The role's name when none is given. */
const DEFAULT_ROLE_NAME = 'serverless-deploy';

/**
 * What a Serverless deployment does with the role's keys: CloudFormation drives the stack; the
 * framework itself uploads artifacts to the deployment bucket, reads stack outputs and
 * `${ssm:}` / `${cf:}` values, and CloudFormation acts with the caller's rights on the
 * resources a typical service declares. Broad on purpose, like the policy the Serverless docs
 * suggest; narrow it to the services you deploy.
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
 * A CloudFormation template (as an object, ready for YAML or JSON) creating the access role
 * that `serverless-access-roles` assumes to deploy: trusted by `principalArn` only, with an
 * `sts:ExternalId` condition when one is given, and a policy for Serverless deployments. Its
 * `RoleArn` output is what `serverless access-role link --role-arn` takes.
 *
 * STS checks further trust actions when AssumeRole carries more than the role: `sts:TagSession`
 * for session tags (`sessionTags`, `transitiveTagKeys`) and `sts:SetSourceIdentity` for a
 * `sourceIdentity`; the trust statement allows them when `tagSession` / `setSourceIdentity` say so.
 *
 * @param {{ principalArn: string, externalId?: string, roleName?: string, tagSession?: boolean,
 *   setSourceIdentity?: boolean }} options
 * @returns {object}
 */
function deployRoleTemplate({ principalArn, externalId, roleName = DEFAULT_ROLE_NAME, tagSession, setSourceIdentity }) {
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
              PolicyDocument: { Version: '2012-10-17', Statement: DEPLOY_STATEMENTS },
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

module.exports = deployRoleTemplate;
