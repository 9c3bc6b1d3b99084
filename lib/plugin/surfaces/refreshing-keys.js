'use strict';

/**
 * How long before expiry keys are replaced: the AWS SDK v3's own refresh window for expiring
 * identities (5 minutes), so a request never starts on keys about to die.
 */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Holds the access role's current keys and replaces them by calling the resolver again, one
 * call at a time however many requests ask at once.
 *
 * @param {import('../../index').AccessRoleCredentials} initial keys from asyncInit
 * @param {() => Promise<import('../../index').AccessRoleCredentials>} resolveKeys the native
 *   resolver, bound to the service's app, stage and options
 * @returns {{ current: () => import('../../index').AccessRoleCredentials,
 *   refresh: () => Promise<import('../../index').AccessRoleCredentials>,
 *   fresh: () => Promise<import('../../index').AccessRoleCredentials> }} `refresh` always
 *   resolves again; `fresh` only when fewer than REFRESH_MARGIN_MS remain.
 */
function createRefreshingKeys(initial, resolveKeys) {
  let keys = initial;
  let pending = null;
  const refresh = () => {
    pending =
      pending ||
      resolveKeys().then(
        (next) => {
          keys = next;
          pending = null;
          return next;
        },
        (error) => {
          pending = null;
          throw error;
        },
      );
    return pending;
  };
  const fresh = async () => (keys.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS ? keys : refresh());
  return { current: () => keys, refresh, fresh };
}

module.exports = createRefreshingKeys;
module.exports.REFRESH_MARGIN_MS = REFRESH_MARGIN_MS;
