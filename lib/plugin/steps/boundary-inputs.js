'use strict';

const deployRoleTemplate = require('../../api/deploy-role-template');
const userError = require('../user-error');

/** An IAM managed policy ARN: a customer's (12-digit account) or an AWS managed one. */
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/;

/**
 * `--permissions-boundary ARN` and `--role-prefix P` of `template` and `link --create`, checked:
 * the least-privilege form of the access role (../../api/deploy-role-template). The role
 * prefix defaults to the framework's naming of a service's roles, `<service>-<stage>-` with
 * `--stage`, else `<service>-` (every stage of the service).
 *
 * The access role's own name may not start with the prefix: the role could then pass, retag or
 * delete itself.
 *
 * @param {object} serverless the framework instance
 * @param {Record<string, unknown>} options the CLI options
 * @param {{ service: string }} settings the plugin's settings (../read-settings)
 * @param {string} roleName the access role's own name
 * @returns {{ permissionsBoundary?: string, rolePrefix?: string }} empty without a boundary
 */
function boundaryInputs(serverless, options, { service }, roleName) {
  const boundary = options['permissions-boundary'];
  const prefix = options['role-prefix'];
  if (boundary === undefined) {
    if (prefix !== undefined) {
      throw userError(
        serverless,
        '--role-prefix scopes the roles a --permissions-boundary role may make: pass --permissions-boundary ARN too.',
        'ACCESS_ROLES_INVALID_OPTION',
      );
    }
    return {};
  }
  if (typeof boundary !== 'string' || !POLICY_ARN.test(boundary)) {
    throw userError(
      serverless,
      `--permissions-boundary "${boundary}" is not an IAM policy ARN, e.g. arn:aws:iam::123456789012:policy/deploy-boundary.`,
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  const rolePrefix = prefix === undefined ? `${service}-${options.stage ? `${options.stage}-` : ''}` : prefix;
  if (typeof rolePrefix !== 'string' || !deployRoleTemplate.ROLE_PREFIX.test(rolePrefix)) {
    throw userError(
      serverless,
      `--role-prefix "${rolePrefix}" is not the start of an IAM role name: 1 to 63 letters, digits and _+=,.@- (no *).`,
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  if (roleName.startsWith(rolePrefix)) {
    throw userError(
      serverless,
      `The access role "${roleName}" starts with the role prefix "${rolePrefix}", so it could pass, tag and delete ` +
        'itself: pass a --role-prefix its name does not start with, or another --role-name.',
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  return { permissionsBoundary: boundary, rolePrefix };
}

module.exports = boundaryInputs;
