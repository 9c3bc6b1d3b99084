'use strict';

const { isDeepStrictEqual } = require('node:util');
const userError = require('../user-error');

/**
 * The stack tag that marks a stack as made by `access-role link --create`, with the profile it
 * serves as value: a stack without it is someone else's, and is never updated.
 */
const MARKER_TAG = 'serverless-access-roles:profile';

/** How long to wait for the stack to settle; an IAM role takes well under a minute. */
const TIMEOUT_MS = 15 * 60 * 1000;

/** Between two polls: the framework's own setting for watching stacks, default 5 s. */
function pollMs() {
  return Number(process.env.SLS_AWS_MONITORING_FREQUENCY) || 5000;
}

/** Statuses a stack can be updated from. */
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

/** The stack, or null when there is none by that name. */
async function describeStack(client, stackName) {
  try {
    const { Stacks } = await client.send('describeStacks', { StackName: stackName });
    return (Stacks && Stacks[0]) || null;
  } catch (error) {
    if (error.awsCode === 'ValidationError' && /does not exist/.test(error.awsMessage)) return null;
    throw error;
  }
}

/** Whether the deployed template is ours already: compared as data, so layout does not count. */
async function templateIsCurrent(client, stackName, template) {
  const { TemplateBody } = await client.send('getTemplate', { StackName: stackName, TemplateStage: 'Original' });
  if (typeof TemplateBody !== 'string') return isDeepStrictEqual(TemplateBody, template);
  try {
    return isDeepStrictEqual(require('yaml').parse(TemplateBody, { version: '1.1' }), template);
  } catch {
    return false;
  }
}

/** `DeployRole (AWS::IAM::Role) CREATE_FAILED: reason`. */
function describeEvent(event) {
  const reason = event.ResourceStatusReason ? `: ${event.ResourceStatusReason}` : '';
  return `${event.LogicalResourceId} (${event.ResourceType}) ${event.ResourceStatus}${reason}`;
}

/**
 * Follows the stack's events until its status settles, showing each new one (newest events come
 * first in DescribeStackEvents, so they are shown reversed) and the latest on the progress line.
 *
 * @returns {Promise<{ stack: object, events: object[] }>} the settled stack and the operation's events
 */
async function waitForStack(serverless, client, stackName, { log, spinner, seen }) {
  const deadline = Date.now() + TIMEOUT_MS;
  const events = [];
  for (;;) {
    const { StackEvents = [] } = await client.send('describeStackEvents', { StackName: stackName });
    const fresh = StackEvents.filter((event) => !seen.has(event.EventId)).reverse();
    for (const event of fresh) {
      seen.add(event.EventId);
      events.push(event);
      log.info(`  ${describeEvent(event)}`);
      spinner.update(`Stack ${stackName}: ${event.LogicalResourceId} ${event.ResourceStatus}`);
    }
    const stack = await describeStack(client, stackName);
    if (!stack || !stack.StackStatus.endsWith('_IN_PROGRESS')) return { stack, events };
    if (Date.now() > deadline) {
      throw userError(
        serverless,
        `Stack ${stackName} is still ${stack.StackStatus} after ${TIMEOUT_MS / 60000} minutes; the profile store is ` +
          'unchanged. Watch it in the CloudFormation console, and run the command again once it has settled.',
        'ACCESS_ROLES_STACK_TIMEOUT',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs()));
  }
}

/** The error for a stack that did not reach `*_COMPLETE`, naming the resource that failed. */
function stackFailure(serverless, stackName, stack, events) {
  const failed = events.find((event) => /_FAILED$/.test(event.ResourceStatus) && event.ResourceType !== 'AWS::CloudFormation::Stack');
  const what = failed ? describeEvent(failed) : (stack && stack.StackStatusReason) || 'no reason given';
  const status = stack ? stack.StackStatus : 'gone';
  return userError(
    serverless,
    `Stack ${stackName} failed: ${what}. It is now ${status}; the profile store is unchanged.` +
      (status === 'ROLLBACK_COMPLETE' ? ` Delete the stack (aws cloudformation delete-stack --stack-name ${stackName}) before running the command again.` : ''),
    'ACCESS_ROLES_STACK_FAILED',
  );
}

/**
 * The error for a CreateStack/UpdateStack call CloudFormation refused outright. Its own codes
 * (ValidationError, InsufficientCapabilities, AccessDenied, …) concern the stack; any other code
 * comes from the one resource, the role (moto runs resources inside the call and answers their
 * errors there, where AWS reports them as stack events).
 */
function callFailure(serverless, stackName, roleName, error) {
  const stackCodes = /^(ValidationError|InsufficientCapabilities\w*|AccessDenied\w*|AlreadyExists\w*|LimitExceeded\w*|TokenAlreadyExists\w*|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient\w*)$/;
  if (!error.awsCode) return error;
  const where = stackCodes.test(error.awsCode) ? '' : ` at DeployRole (AWS::IAM::Role, role name "${roleName}")`;
  return userError(
    serverless,
    `CloudFormation refused stack ${stackName}${where}: ${error.awsMessage} (${error.awsCode}); the profile store is unchanged.`,
    'ACCESS_ROLES_STACK_FAILED',
  );
}

/**
 * Creates the access role's stack, or updates it when its template differs, and waits for it.
 *
 * A stack of that name must carry MARKER_TAG for this profile (else it is refused, never
 * touched) and be settled: `*_IN_PROGRESS` means another deployment is running, and a stack
 * whose first create failed cannot be updated.
 *
 * @param {object} serverless the framework instance
 * @param {{ send: Function }} client from ./cloudformation-client
 * @param {{ stackName: string, profile: string, roleName: string, template: object,
 *   templateBody: string, log: object }} stack
 * @returns {Promise<{ change: 'created' | 'updated' | 'unchanged', roleArn: string }>}
 */
async function deployRoleStack(serverless, client, { stackName, profile, roleName, template, templateBody, log }) {
  const existing = await describeStack(client, stackName);
  if (existing) {
    const status = existing.StackStatus;
    const marker = (existing.Tags || []).find((tag) => tag.Key === MARKER_TAG);
    if (!marker || marker.Value !== profile) {
      throw userError(
        serverless,
        `Stack ${stackName} exists but was not made by \`access-role link --create\` for profile "${profile}" ` +
          `(${marker ? `its ${MARKER_TAG} tag says "${marker.Value}"` : `it has no ${MARKER_TAG} tag`}), so it is left alone. ` +
          'Pass another --stack-name, or link a role you made yourself with --role-arn instead of --create.',
        'ACCESS_ROLES_FOREIGN_STACK',
      );
    }
    if (status.endsWith('_IN_PROGRESS')) {
      throw userError(
        serverless,
        `Stack ${stackName} is ${status}: an operation on it has not finished. Wait until it settles ` +
          '(CloudFormation console, or aws cloudformation describe-stacks), then run the command again; ' +
          'the profile store is unchanged.',
        'ACCESS_ROLES_STACK_BUSY',
      );
    }
    if (!UPDATABLE.has(status)) {
      throw userError(
        serverless,
        `Stack ${stackName} is ${status} and cannot be updated. Delete it (aws cloudformation delete-stack ` +
          `--stack-name ${stackName}), then run the command again.`,
        'ACCESS_ROLES_STACK_FAILED',
      );
    }
    if (await templateIsCurrent(client, stackName, template)) {
      return { change: 'unchanged', roleArn: roleArnOutput(serverless, stackName, existing) };
    }
  }

  // Events already there belong to earlier operations.
  const seen = new Set();
  if (existing) {
    const { StackEvents = [] } = await client.send('describeStackEvents', { StackName: stackName });
    for (const event of StackEvents) seen.add(event.EventId);
  }
  const params = {
    StackName: stackName,
    TemplateBody: templateBody,
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    Tags: [{ Key: MARKER_TAG, Value: profile }],
  };
  const spinner = log.spinner(`${existing ? 'Updating' : 'Creating'} stack ${stackName}`);
  try {
    try {
      await client.send(existing ? 'updateStack' : 'createStack', params);
    } catch (error) {
      if (existing && /No updates are to be performed/.test(error.awsMessage)) {
        return { change: 'unchanged', roleArn: roleArnOutput(serverless, stackName, existing) };
      }
      throw callFailure(serverless, stackName, roleName, error);
    }
    const { stack, events } = await waitForStack(serverless, client, stackName, { log, spinner, seen });
    if (!stack || !/^(CREATE|UPDATE)_COMPLETE$/.test(stack.StackStatus)) throw stackFailure(serverless, stackName, stack, events);
    return { change: existing ? 'updated' : 'created', roleArn: roleArnOutput(serverless, stackName, stack) };
  } finally {
    spinner.remove();
  }
}

/** The stack's RoleArn output. */
function roleArnOutput(serverless, stackName, stack) {
  const output = (stack.Outputs || []).find((o) => o.OutputKey === 'RoleArn');
  if (output && output.OutputValue) return output.OutputValue;
  throw userError(
    serverless,
    `Stack ${stackName} has no RoleArn output; the profile store is unchanged. Check the stack in the ` +
      'CloudFormation console.',
    'ACCESS_ROLES_STACK_FAILED',
  );
}

module.exports = deployRoleStack;
