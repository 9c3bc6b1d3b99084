'use strict';

const path = require('node:path');
const { findProfileStore } = require('../native');

/**
 * The profile store `access-role link` writes to: the one the native resolver would read, or,
 * when there is none yet, the explicit path (`configPath`, `SERVERLESS_ACCESS_ROLES_CONFIG`), else
 * `access-roles.yml` beside serverless.yml.
 *
 * @param {{ configPath?: string, cwd: string }} options as passed to the resolver
 * @returns {{ path: string, exists: boolean }}
 */
function locateStore({ configPath, cwd }) {
  try {
    return { path: findProfileStore({ configPath, cwd }), exists: true };
  } catch (err) {
    if (err.code !== 'E_NO_PROFILE_STORE') throw err;
  }
  const explicit = configPath || process.env.SERVERLESS_ACCESS_ROLES_CONFIG;
  const target = explicit ? path.resolve(cwd, explicit) : path.join(path.resolve(cwd), 'access-roles.yml');
  return { path: target, exists: false };
}

module.exports = locateStore;
