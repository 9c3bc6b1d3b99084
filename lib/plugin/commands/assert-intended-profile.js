'use strict';

const userError = require('../user-error');

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/**
 * Stops `link` from quietly creating a profile whose name is a typo of one the store has
 * (`prodution` beside `production`): a new name within edit distance 2 of an existing one (1 for
 * names of 2–3 characters, so `qa` and `ci` stay apart) needs `--new-profile` or `--force`.
 *
 * @param {object} serverless the framework instance
 * @param {string} profile the name given with --profile
 * @param {string[]} existing the store's profile names
 * @param {Record<string, unknown>} options the CLI options
 * @throws ACCESS_ROLES_PROFILE_TYPO naming the existing profile
 */
function assertIntendedProfile(serverless, profile, existing, options) {
  if (existing.includes(profile) || options['new-profile'] || options.force) return;
  const limit = (name) => Math.min(2, Math.floor(Math.min(name.length, profile.length) / 2));
  const close = existing
    .map((name) => ({ name, distance: editDistance(name, profile) }))
    .filter(({ name, distance }) => distance <= limit(name))
    .sort((a, b) => a.distance - b.distance);
  if (close.length === 0) return;
  const [{ name }] = close;
  throw userError(
    serverless,
    `There is no profile "${profile}" in the store, but there is "${name}": did you mean --profile ${name}? ` +
      `To add "${profile}" as a new profile beside it, run the command again with --new-profile.`,
    'ACCESS_ROLES_PROFILE_TYPO',
  );
}

module.exports = assertIntendedProfile;
