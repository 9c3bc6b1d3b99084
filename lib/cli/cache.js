'use strict';
// `serverless-access-roles cache list | clear`: the disk cache of access-role keys, without the
// keys. Where the cache is, what an entry holds and which entries have expired are the core's
// (crates/core/src/cache); this file prints them.

const { PROGRAM, errorLine, usageFailure } = require('./error-line');
const readOptions = require('./read-options');
// Through ./native: a platform without a prebuilt addon gets the error that names it.
const native = require('../native');


const USAGE = `usage: ${PROGRAM} cache list [--cache-dir DIR]
       ${PROGRAM} cache clear [--app APP] [--stage STAGE] [--cache-dir DIR]

list    the cached keys: profile, role, app and stage, region, when they expire, and the
        session; never a key. Expired entries and their locks are removed on the way.
clear   removes the cached keys of APP and STAGE (each when given; all when neither),
        so the next command assumes the role afresh.

options:
  --app APP          clear: only keys resolved for this app
  --stage STAGE      clear: only keys resolved for this stage
  --cache-dir DIR    the cache directory; default: SERVERLESS_ACCESS_ROLES_CACHE_DIR, else the
                     platform's cache directory (~/.cache/serverless-access-roles on Linux)
  -h, --help         this text
  --version          the version
`;

const OPTIONS = {
  app: { type: 'string' },
  stage: { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** `2026-11-30T10:20:21.448Z (in 47 min)` */
function expiry(date) {
  const minutes = Math.round((date.getTime() - Date.now()) / 60000);
  return `${date.toISOString()} (in ${minutes} min)`;
}

/** The rows of `cache list`, one entry each. */
function listText(listing) {
  if (!listing.dir) return 'No cache directory (no home directory, and SERVERLESS_ACCESS_ROLES_CACHE_DIR unset).\n';
  if (listing.entries.length === 0) return `No cached keys in ${listing.dir}.\n`;
  const lines = [`Cached keys in ${listing.dir}:`];
  for (const entry of listing.entries) {
    const what = entry.app && entry.stage ? `${entry.app}/${entry.stage}` : '(app and stage not recorded)';
    lines.push('');
    lines.push(`${what}`);
    lines.push(`  Profile:     ${entry.profile ?? '(not recorded)'}`);
    lines.push(`  Role:        ${entry.roleArn ?? '(not recorded)'}`);
    lines.push(`  Session:     ${entry.assumedRoleArn}`);
    lines.push(`  Region:      ${entry.region}`);
    lines.push(`  Keys expire: ${expiry(entry.expiration)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `cache` with `args` (the arguments after `cache`) and returns the exit status: 0, 1 with
 * `serverless-access-roles: CODE: message` on stderr, or 2 with the usage text.
 * @param {string[]} args
 * @returns {Promise<number>}
 */
async function cache(args) {
  const read = readOptions(args, OPTIONS, USAGE, { allowPositionals: true });
  if ('status' in read) return read.status;
  const { values, positionals } = read;
  const [action, ...extra] = positionals;
  const problem =
    (action !== 'list' && action !== 'clear' && (action ? `unknown cache command "${action}"` : 'list or clear?')) ||
    (extra.length > 0 && `unexpected argument "${extra[0]}"`) ||
    (action === 'list' && (values.app !== undefined || values.stage !== undefined) && '--app and --stage are for clear');
  if (problem) {
    return usageFailure(USAGE, problem);
  }
  try {
    const options = {};
    if (values['cache-dir'] !== undefined) options.cacheDir = values['cache-dir'];
    if (action === 'list') {
      process.stdout.write(listText(native.listCache(options)));
      return 0;
    }
    if (values.app !== undefined) options.app = values.app;
    if (values.stage !== undefined) options.stage = values.stage;
    const removed = native.clearCache(options);
    const which = [values.app && `app ${values.app}`, values.stage && `stage ${values.stage}`].filter(Boolean);
    const scope = which.length ? ` for ${which.join(', ')}` : '';
    process.stdout.write(`Removed ${removed} cached key${removed === 1 ? '' : 's'}${scope}.\n`);
    return 0;
  } catch (err) {
    process.stderr.write(errorLine(err));
    return 1;
  }
}

module.exports = { cache };
