'use strict';

const userError = require('./user-error');

const SECRETS_VARIABLE = /\$\{\s*secrets:/;

/** Dotted paths (`provider.credentials`) of the strings in `value` that use `${secrets:…}`. */
function secretsPaths(value, path = []) {
  if (typeof value === 'string') return SECRETS_VARIABLE.test(value) ? [path.join('.')] : [];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => secretsPaths(child, [...path, key]));
}

/**
 * Fails when the service configuration uses `${secrets:…}`. That source belonged to the
 * retired Serverless Enterprise deploy profiles (`credentials: ${secrets:<id>}`), which this
 * plugin replaces, so it can never resolve; the error says how to migrate.
 *
 * @param {object} serverless the framework instance; reads `configurationInput`, the
 *   configuration with unresolved variables still in place
 */
function assertNoSecretsVariables(serverless) {
  const paths = secretsPaths(serverless.configurationInput);
  if (paths.length === 0) return;
  throw userError(
    serverless,
    `${paths.map((p) => `"${p}"`).join(', ')} in serverless.yml uses a \${secrets:…} variable ` +
      'of the retired Serverless Enterprise deploy profiles, which serverless-access-roles ' +
      'replaces. Delete that line, then link the role ARN to a profile: ' +
      'serverless access-role link --profile NAME --role-arn ARN [--stage STAGE]',
    'ACCESS_ROLES_SECRETS_VARIABLE',
  );
}

module.exports = assertNoSecretsVariables;
