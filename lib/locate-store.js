'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CONFIG_ENV = 'SERVERLESS_ACCESS_ROLES_CONFIG';
const FILE_NAMES = ['access-roles.yml', 'access-roles.json'];

/**
 * The profile store `access-role link` writes to: the one the native resolver would read, or,
 * when there is none yet, where it would look first. Mirrors the core's discovery order
 * (crates/core/src/profiles/discovery.rs): `configPath`, `SERVERLESS_ACCESS_ROLES_CONFIG`, the
 * first `access-roles.yml`/`.json` from `cwd` upward, `~/.serverless/access-roles.yml`; a new
 * store goes to the explicit path, else beside serverless.yml.
 *
 * @param {{ configPath?: string, cwd: string }} options as passed to the resolver
 * @returns {{ path: string, exists: boolean }}
 */
function locateStore({ configPath, cwd }) {
  const explicit = configPath || process.env[CONFIG_ENV];
  if (explicit) {
    const target = path.resolve(cwd, explicit);
    return { path: target, exists: fs.existsSync(target) };
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return { path: candidate, exists: true };
    }
    if (path.dirname(dir) === dir) break;
  }
  const home = path.join(os.homedir(), '.serverless', 'access-roles.yml');
  if (fs.existsSync(home)) return { path: home, exists: true };
  return { path: path.join(path.resolve(cwd), FILE_NAMES[0]), exists: false };
}

module.exports = locateStore;
