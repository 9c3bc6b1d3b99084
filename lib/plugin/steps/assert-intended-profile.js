'use strict';

const { suggest } = require('../../native');
const userError = require('../user-error');

/**
 * Stops `link` from quietly creating a profile whose name is a typo of one the store has
 * (`prodution` beside `production`): the core tells which existing profile a new name is a near
 * miss of (the core's one `suggest` rule); such a name needs `--new-profile` or `--force`.
 *
 * @param {object} serverless the framework instance
 * @param {string} profile the name given with --profile
 * @param {string[]} existing the store's profile names
 * @param {Record<string, unknown>} options the CLI options
 * @throws ACCESS_ROLES_PROFILE_TYPO naming the existing profile
 */
function assertIntendedProfile(serverless, profile, existing, options) {
  if (options['new-profile'] || options.force) return;
  const name = suggest(profile, existing);
  if (!name) return;
  throw userError(
    serverless,
    `There is no profile "${profile}" in the store, but there is "${name}": did you mean --profile ${name}? ` +
      `To add "${profile}" as a new profile beside it, run the command again with --new-profile.`,
    'ACCESS_ROLES_PROFILE_TYPO',
  );
}

module.exports = assertIntendedProfile;
