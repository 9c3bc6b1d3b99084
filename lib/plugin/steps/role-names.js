'use strict';

const { DEFAULT_ROLE_NAME } = require('../../api/deploy-role-template');

/**
 * The access role's names and how each derives from the other: the one table of defaults that
 * `link --create`, `template` and their `--help` (./definitions) show.
 *
 * - `link --create --profile P`: the stack is `--stack-name`, else `serverless-access-role-P`;
 *   the role is `--role-name`, else the stack's name (so `--stack-name X` alone names both X);
 * - `template`, which has no profile and deploys nothing: the role is `--role-name`, else
 *   `serverless-deploy` (deployRoleTemplate's default); its hint names the stack after the role.
 */
const HELP = {
  stackName: 'default: serverless-access-role-<profile>',
  roleName: 'default: the stack name',
  templateRoleName: `default: ${DEFAULT_ROLE_NAME}; the stack is named after it`,
};

/** `name` fitted to what stack and role names allow: other characters become `-`, cut to `max`. */
function fitted(name, max) {
  return name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, max);
}

/**
 * The stack and role names for the options given, by the table above.
 *
 * @param {{ stackName?: string, roleName?: string, profile?: string }} given the options
 * @returns {{ stackName: string, roleName: string }}
 */
function roleNames({ stackName, roleName, profile }) {
  if (!profile && !stackName) {
    const role = roleName || DEFAULT_ROLE_NAME;
    return { roleName: role, stackName: fitted(role, 128) };
  }
  const stack = stackName || fitted(`serverless-access-role-${profile}`, 128);
  return { roleName: roleName || stack.slice(0, 64), stackName: stack };
}

module.exports = { roleNames, HELP };
