'use strict';

const { createRequire } = require('node:module');
const userError = require('../user-error');

/** The module file that defines `value` (a class), among the modules node has loaded. */
function definingFile(value) {
  const found = Object.values(require.cache).find((module) => module && module.exports === value);
  return found && found.filename;
}

/**
 * The framework's SDK v3 CloudFormation package: the one its AWS provider itself requires, so
 * this plugin adds no dependency and uses the SDK version the framework was tested with.
 */
function frameworkSdkV3(provider) {
  const file = definingFile(provider.constructor);
  if (!file) return null;
  try {
    return createRequire(file)('@aws-sdk/client-cloudformation');
  } catch {
    return null;
  }
}

/**
 * A failed call as a user error (the SDKs' own carry stack traces), keeping the service's error
 * code and message as `awsCode` / `awsMessage` for callers that handle some of them.
 */
function callError(serverless, operation, stackName, code, message) {
  const text = String(message || code).replace(/\.$/, '');
  return Object.assign(
    userError(
      serverless,
      `CloudFormation ${operation} for stack ${stackName} failed: ${text} (${code}); the profile store is unchanged.`,
      'ACCESS_ROLES_CLOUDFORMATION_ERROR',
    ),
    { awsCode: code, awsMessage: text },
  );
}

/** `describeStacks` → `DescribeStacksCommand`. */
function commandName(operation) {
  return `${operation[0].toUpperCase()}${operation.slice(1)}Command`;
}

/**
 * A CloudFormation client on the framework's own credentials (never the access role's: the
 * `access-role link` command installs none), as `{ send(operation, params) }` answering the
 * API's output shape, or throwing ACCESS_ROLES_CLOUDFORMATION_ERROR with the service's error code
 * (`ValidationError`, …) and message as `awsCode` and `awsMessage`:
 *
 * 1. osls 4 and other SDK v3 frameworks (`provider.getAwsSdkV3Config()`): the
 *    `@aws-sdk/client-cloudformation` the framework depends on, configured as its own clients;
 * 2. serverless 1.x–3.x: `provider.request('CloudFormation', …)`, the framework's SDK v2 client
 *    (with its retries, and the endpoint redirection plugins such as serverless-localstack add).
 *
 * @param {object} serverless the framework instance
 * @returns {Promise<{ send: (operation: string, params: object) => Promise<object> }>}
 * @throws ACCESS_ROLES_NO_CLOUDFORMATION_CLIENT when the framework offers neither
 */
async function cloudFormationClient(serverless) {
  const provider = serverless.getProvider('aws');
  if (typeof provider.getAwsSdkV3Config === 'function') {
    const sdk = frameworkSdkV3(provider);
    if (sdk && sdk.CloudFormationClient) {
      const client = new sdk.CloudFormationClient(await provider.getAwsSdkV3Config());
      return {
        send: async (operation, params) => {
          try {
            return await client.send(new sdk[commandName(operation)](params));
          } catch (error) {
            throw callError(serverless, operation, params.StackName, error.name || error.Code, error.message);
          }
        },
      };
    }
  } else if (typeof provider.request === 'function') {
    return {
      send: async (operation, params) => {
        try {
          return await provider.request('CloudFormation', operation, params);
        } catch (error) {
          const cause = error.providerError || error;
          throw callError(serverless, operation, params.StackName, cause.code || error.code, cause.message || error.message);
        }
      },
    };
  }
  throw userError(
    serverless,
    "Cannot find this framework's AWS CloudFormation client (provider.request or its AWS SDK v3 " +
      'client), so the stack cannot be deployed from here. Do it in two steps instead: ' +
      '`serverless access-role template > role.yml`, deploy role.yml with `aws cloudformation deploy ' +
      '--capabilities CAPABILITY_NAMED_IAM`, then `serverless access-role link --profile NAME --role-arn ARN`.',
    'ACCESS_ROLES_NO_CLOUDFORMATION_CLIENT',
  );
}

module.exports = cloudFormationClient;
