'use strict';

const { sessionEnvironment } = require('../native');

/**
 * Puts the access role's keys into this process's environment the way the AWS SDKs and the aws
 * CLI read them, so that other plugins' SDK clients and hooks' child processes (`aws`, `sam`,
 * scripts) run on the role too. The core decides which variables those are (sessionEnvironment:
 * the keys, their expiry and the session marker set, the AWS profile variables removed); this
 * only applies them.
 *
 * A refresh must still start from the base identity, not from the role's own keys now in the
 * environment: `baseEnvironment` holds every variable the export changed as it was before
 * (`null`: unset), for the resolver to read instead of the process's own.
 *
 * @param {import('../../index').AccessRoleCredentials} credentials
 * @param {NodeJS.ProcessEnv} [env] the environment to change; default `process.env`
 * @returns {{ baseEnvironment: Record<string, string | null>,
 *   update: (keys: import('../../index').AccessRoleCredentials) => void }} `update` puts
 *   refreshed keys in place
 */
function exportSession(credentials, env = process.env) {
  const first = sessionEnvironment(credentials);
  const names = [...Object.keys(first.set), ...first.unset];
  const baseEnvironment = Object.fromEntries(names.map((name) => [name, env[name] ?? null]));
  const apply = ({ set, unset }) => {
    for (const name of unset) delete env[name];
    Object.assign(env, set);
  };
  apply(first);
  return { baseEnvironment, update: (next) => apply(sessionEnvironment(next)) };
}

module.exports = exportSession;
