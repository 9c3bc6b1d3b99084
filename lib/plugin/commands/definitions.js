'use strict';

const { HELP: NAME_HELP } = require('../steps/role-names');

/**
 * Options of every command that may assume the access role. Serverless v3 declares
 * `--use-local-credentials` itself (for the Dashboard); osls 4 dropped it, and neither has the
 * others. Both reject unknown options, so the plugin declares each where it is missing. A
 * boolean `cache` makes both parsers read `--no-cache` as `cache: false`.
 */
const KEY_OPTIONS = {
  'use-local-credentials': {
    usage: 'Use the AWS credentials the framework finds itself, not the access role (serverless-access-roles)',
    type: 'boolean',
  },
  'cache': {
    usage: 'Reuse cached access-role keys (default); --no-cache assumes the role afresh (serverless-access-roles)',
    type: 'boolean',
  },
  'mfa-code': {
    usage: 'Current code of the MFA device the deployment profile names (serverless-access-roles)',
    type: 'string',
  },
};

/** `--app`: the app key in the profile store, instead of the service's. */
const APP_OPTION = { usage: 'App key in the profile store (default: the service\'s)', type: 'string' };

/** Core commands that talk to AWS and so should accept KEY_OPTIONS. */
const AWS_COMMANDS = [
  ['deploy'],
  ['deploy', 'function'],
  ['deploy', 'list'],
  ['info'],
  ['invoke'],
  ['invoke', 'local'],
  ['logs'],
  ['metrics'],
  ['package'],
  ['print'],
  ['remove'],
  ['rollback'],
  ['rollback', 'function'],
];

/** `template` and `link --create`: the least-privilege role (./boundary-inputs). */
const BOUNDARY_OPTIONS = {
  'permissions-boundary': {
    usage: 'IAM policy ARN: the role may create and change only roles with this permissions boundary (see --role-prefix)',
    type: 'string',
  },
  'role-prefix': {
    usage: 'With --permissions-boundary: the roles it may make and pass start with this (default: <service>-<stage>-, or <service>- without --stage)',
    type: 'string',
  },
};

/** The `access-role` commands: each runs one lifecycle event, `run`, shown in `--help`. */
const ACCESS_ROLE_COMMANDS = {
  test: {
    usage: 'Assume the access role and show who AWS says you are, and when the keys expire',
    lifecycleEvents: ['run'],
    options: { cache: KEY_OPTIONS.cache, 'mfa-code': KEY_OPTIONS['mfa-code'], app: APP_OPTION },
  },
  doctor: {
    usage: 'Check the store, mapping, base identity, assume, cache and AWS config profiles of this app and stage',
    lifecycleEvents: ['run'],
    options: {
      'mfa-code': KEY_OPTIONS['mfa-code'],
      'app': APP_OPTION,
      'prefix': { usage: 'The --prefix given to `serverless-access-roles profiles --write`', type: 'string' },
      'stages': { usage: 'The --stages given to `serverless-access-roles profiles --write` (comma-separated)', type: 'string' },
    },
  },
  show: {
    usage: 'Show which deployment profile applies to this app and stage, and why (no AWS calls)',
    lifecycleEvents: ['run'],
    options: { app: APP_OPTION },
  },
  link: {
    usage:
      'Write a deployment profile and map this app (or one stage) to it in access-roles.yml; ' +
      'with --create, deploy the access role first (on your own AWS credentials)',
    lifecycleEvents: ['run'],
    options: {
      'profile': { usage: 'Deployment profile name, e.g. "production"', type: 'string', required: true },
      'role-arn': { usage: 'ARN of the access role to assume (or --create)', type: 'string' },
      'app': { usage: 'App key in the profile store (default: the service\'s)', type: 'string' },
      'stage': { usage: 'Map only this stage (default: the app\'s defaultProfile)', type: 'string' },
      'external-id': { usage: 'sts:ExternalId the role\'s trust policy demands', type: 'string' },
      'new-profile': { usage: 'Add --profile as a new profile even though its name is close to an existing one', type: 'boolean' },
      'force': { usage: 'Same as --new-profile', type: 'boolean' },
      'create': { usage: 'Deploy the access role\'s CloudFormation stack (create or update), then link its ARN', type: 'boolean' },
      'stack-name': { usage: `With --create: stack name (${NAME_HELP.stackName})`, type: 'string' },
      'role-name': { usage: `With --create: role name (${NAME_HELP.roleName})`, type: 'string' },
      'principal': { usage: 'With --create: ARN allowed to assume the role (default: your AWS identity)', type: 'string' },
      'dry-run': { usage: 'With --create: print the stack, template and store change; call no AWS API, write nothing', type: 'boolean' },
      'strict': { usage: 'With --create: fail (exit 1) when the final check cannot assume the new role; by default it is a warning', type: 'boolean' },
      ...BOUNDARY_OPTIONS,
    },
  },
  template: {
    usage: 'Print a CloudFormation template for the access role the deployments assume',
    lifecycleEvents: ['run'],
    options: {
      'principal': { usage: 'ARN allowed to assume the role (default: your AWS identity)', type: 'string' },
      'external-id': { usage: 'Demand this sts:ExternalId in the trust policy', type: 'string' },
      'role-name': { usage: `Role name (${NAME_HELP.templateRoleName})`, type: 'string' },
      ...BOUNDARY_OPTIONS,
    },
  },
};

/** Looks a command path up in the framework's loaded commands. */
function findCommand(commands, path) {
  let command = { commands };
  for (const name of path) {
    command = command.commands && command.commands[name];
    if (!command) return undefined;
  }
  return command;
}

/** `{ deploy: { commands: { function: { options } } } }` for the path `deploy function`. */
function nest(path, leaf) {
  return path.reduceRight((inner, name, i) => ({ [name]: i === path.length - 1 ? leaf : { commands: inner } }), {});
}

/**
 * The plugin's `commands`: `access-role …`, plus each of KEY_OPTIONS on every loaded AWS
 * command that does not accept it yet. Extending a command with options only merges them into
 * the framework's own definition (PluginManager#loadCommands), so commands the framework lacks
 * are skipped rather than created empty.
 *
 * @param {object} serverless the framework instance; its core commands are loaded by now
 * @returns {Record<string, object>}
 */
function commandDefinitions(serverless) {
  const loaded = (serverless.pluginManager && serverless.pluginManager.commands) || {};
  const definitions = {
    'access-role': {
      type: 'container',
      usage: 'Deployment access roles (serverless-access-roles)',
      commands: ACCESS_ROLE_COMMANDS,
    },
  };
  for (const path of AWS_COMMANDS) {
    const command = findCommand(loaded, path);
    if (!command) continue;
    const known = command.options || {};
    const missing = Object.entries(KEY_OPTIONS).filter(([name]) => !known[name]);
    if (missing.length > 0) mergeInto(definitions, nest(path, { options: Object.fromEntries(missing) }));
  }
  return definitions;
}

/** Deep-merges plain objects (the nested command trees above). */
function mergeInto(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (target[key] && typeof target[key] === 'object' && typeof value === 'object') mergeInto(target[key], value);
    else target[key] = value;
  }
  return target;
}

module.exports = commandDefinitions;
