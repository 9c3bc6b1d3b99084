'use strict';
// What differs between the platforms the release workflow tests on, in one place: the tests ask
// here instead of each writing its own `process.platform` branch.

const path = require('node:path');

/**
 * The cache directory the package uses by default for a user whose home is `home`, as the README
 * documents it: `$XDG_CACHE_HOME` (when absolute) or `~/.cache` on Linux, `~/Library/Caches` on
 * macOS, `%LOCALAPPDATA%` on Windows; each with `serverless-access-roles` below.
 * @param {string} home
 * @param {{ platform?: NodeJS.Platform, env?: NodeJS.ProcessEnv }} [options]
 */
function defaultCacheDir(home, { platform = process.platform, env = {} } = {}) {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  let base;
  if (platform === 'win32') base = env.LOCALAPPDATA;
  else if (platform === 'darwin') base = join(home, 'Library', 'Caches');
  else base = env.XDG_CACHE_HOME && path.posix.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'serverless-access-roles');
}

module.exports = { defaultCacheDir };
