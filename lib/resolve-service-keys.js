'use strict';

const { resolveCredentials } = require('./native');
const fromNativeError = require('./from-native-error');

/** Store answers that mean "no profile for this service" rather than a broken setup. */
const NO_PROFILE_CODES = new Set(['E_NO_PROFILE', 'E_NO_PROFILE_STORE']);

const LINK_HINT = 'Map a profile with: serverless access-role link --profile NAME --role-arn ARN [--stage STAGE]';

/**
 * Resolves the access role's keys for the service's app and stage, with a spinner while STS
 * answers. When no profile applies, says so and returns null (the framework then uses its own
 * credentials), unless a role is mandatory or the store was named explicitly and is missing:
 * then, as for every other failure, it throws a user error.
 *
 * @param {object} serverless the framework instance
 * @param {ReturnType<import('./read-settings')>} settings
 * @param {{ log: ReturnType<import('./create-log')>, mustHaveRole: boolean }} context
 * @returns {Promise<{ keys: import('../index').AccessRoleCredentials, resolveKeys: Function } | null>}
 *   the keys, and the resolver bound to this app and stage for refreshing them
 */
async function resolveServiceKeys(serverless, settings, { log, mustHaveRole }) {
  const resolve = () => resolveCredentials(settings.app, settings.stage, settings.resolveOptions);
  // Refreshes fail inside the SDK's credential chain, which reports the bottom error's message.
  const resolveKeys = () =>
    resolve().catch((error) => {
      throw fromNativeError(serverless, error);
    });
  const spinner = log.spinner(`Assuming the access role for ${settings.app}/${settings.stage}`);
  try {
    return { keys: await resolve(), resolveKeys };
  } catch (error) {
    if (!NO_PROFILE_CODES.has(error.code)) throw fromNativeError(serverless, error);
    const storeNamed = Boolean(settings.resolveOptions.configPath);
    if (mustHaveRole || (storeNamed && error.code === 'E_NO_PROFILE_STORE')) {
      const why = settings.required
        ? "\ncustom.accessRoles.required is true, so the framework's own credentials are not used. "
        : '\n';
      error.message += `${why}${LINK_HINT}`;
      throw fromNativeError(serverless, error);
    }
    log.notice(`Access roles: ${error.message}`);
    log.notice("Using the framework's own AWS credentials.");
    return null;
  } finally {
    spinner.remove();
  }
}

module.exports = resolveServiceKeys;
