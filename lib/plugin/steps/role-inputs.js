'use strict';

const { checkStore, iamPrincipal } = require('../../native');
const fromNativeError = require('../from-native-error');
const linkProfile = require('../../api/link-profile');
const { roleNames } = require('./role-names');
const userError = require('../user-error');

/** The fields of the checked store that the role options end up in, by the option that sets them. */
const FIELD_OPTIONS = { 'profiles.check.roleArn': '--role-name', 'profiles.check.externalId': '--external-id' };

/**
 * Checks the role name and external id by the profile store's own rules (the native reader
 * owns them), as `link` would write them: a store of one profile, checked in memory (the core's
 * checkStore). A rejection in one of those fields (`error.field`) names the option.
 */
function checkStoreFields(serverless, { roleName, externalId }) {
  const link = { profile: 'check', roleArn: `arn:aws:iam::000000000000:role/${roleName}`, externalId, app: 'check' };
  try {
    checkStore(linkProfile('', link), { path: 'link options', format: 'yaml', app: 'check', stage: 'check' });
  } catch (error) {
    const option = error.code === 'E_INVALID_CONFIG' && Object.hasOwn(FIELD_OPTIONS, error.field) && FIELD_OPTIONS[error.field];
    if (!option) throw fromNativeError(serverless, error);
    const value = option === '--role-name' ? roleName : externalId;
    throw userError(serverless, `${option} "${value}": ${error.reason}.`, 'ACCESS_ROLES_INVALID_OPTION');
  }
}

/** CloudFormation's rule for stack names. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Checks the options that shape the access role's stack, before anything is called or written:
 * `--principal` must be an IAM ARN, `--stack-name` a CloudFormation stack name, and the role
 * name and external id must be what the profile store accepts (checkStoreFields), since `link`
 * will write them there.
 *
 * @param {object} serverless the framework instance
 * @param {Record<string, unknown>} options the CLI options
 * @param {{ profile?: string }} [defaults] a profile to derive the stack and role names from
 * @returns {{ principal?: string, stackName: string, roleName: string }} the names by ./role-names
 */
function roleInputs(serverless, options, { profile } = {}) {
  const principal = options.principal;
  // An IAM principal a trust policy can name: an account root, a user or a role (the core's ARN rules).
  const iam = typeof principal === 'string' ? iamPrincipal(principal) : null;
  if (principal !== undefined && (!iam || iam.kind === 'assumed-role')) {
    throw userError(
      serverless,
      `--principal "${principal}" is not an IAM ARN; name a user, role or account, e.g. ` +
        'arn:aws:iam::123456789012:user/deployer, arn:aws:iam::123456789012:role/ci or arn:aws:iam::123456789012:root.',
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  for (const name of ['stack-name', 'role-name']) {
    if (options[name] !== undefined && (typeof options[name] !== 'string' || options[name] === '')) {
      throw userError(serverless, `--${name} needs a value.`, 'ACCESS_ROLES_INVALID_OPTION');
    }
  }
  // The names and their defaults, by the one table (./role-names).
  const { stackName, roleName } = roleNames({ stackName: options['stack-name'], roleName: options['role-name'], profile });
  // `template` only names the stack in its closing hint; `link --create` deploys it.
  if ((profile || options['stack-name'] !== undefined) && !STACK_NAME.test(stackName)) {
    const given = options['stack-name'] !== undefined ? '--stack-name' : 'The stack name (from --role-name)';
    throw userError(
      serverless,
      `${given} "${stackName}" is not a CloudFormation stack name: a letter, then letters, digits and ` +
        'hyphens, at most 128 characters; pass --stack-name.',
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  const externalId = options['external-id'];
  if (externalId !== undefined && typeof externalId !== 'string') {
    throw userError(serverless, '--external-id needs a value.', 'ACCESS_ROLES_INVALID_OPTION');
  }
  checkStoreFields(serverless, { roleName, externalId });
  return { principal, stackName, roleName };
}

module.exports = roleInputs;
