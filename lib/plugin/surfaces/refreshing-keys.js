'use strict';

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
 *   resolves again; `fresh` only once the keys' `refreshAt` has come (the native core's one
 *   refresh rule, which its cache follows too).
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
  const fresh = async () => (Date.now() < keys.refreshAt.getTime() ? keys : refresh());
  return { current: () => keys, refresh, fresh };
}

module.exports = createRefreshingKeys;
