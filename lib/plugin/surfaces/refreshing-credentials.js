'use strict';

/**
 * Holds the access role's current keys and replaces them by calling the resolver again, one
 * call at a time however many requests ask at once.
 *
 * @param {import('../../index').AccessRoleCredentials} initial keys from asyncInit
 * @param {() => Promise<import('../../index').AccessRoleCredentials>} resolveAgain the native
 *   resolver, bound to the service's app, stage and options
 * @returns {{ current: () => import('../../index').AccessRoleCredentials,
 *   refresh: () => Promise<import('../../index').AccessRoleCredentials>,
 *   fresh: () => Promise<import('../../index').AccessRoleCredentials> }} `refresh` always
 *   resolves again; `fresh` only once the keys' `refreshAt` has come (the native core's one
 *   refresh rule, which its cache follows too).
 */
function createRefreshingCredentials(initial, resolveAgain) {
  let credentials = initial;
  let pending = null;
  const refresh = () => {
    pending =
      pending ||
      resolveAgain().then(
        (next) => {
          credentials = next;
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
  const fresh = async () => (Date.now() < credentials.refreshAt.getTime() ? credentials : refresh());
  return { current: () => credentials, refresh, fresh };
}

module.exports = createRefreshingCredentials;
