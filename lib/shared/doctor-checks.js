'use strict';
// `doctor`'s checks, for the bin and the plugin: each asks the core (where the store is, which
// profile answers, who the base identity is, the assume itself, the cache, the AWS config block)
// and turns its answer or its coded error into one check. What is right and wrong is the core's
// (its errors' codes and messages carry the fix); this file only orders the questions.

const fs = require('node:fs');
const path = require('node:path');
const native = require('../native');
const { nearStageWarning } = require('./describe-resolve');
const sectionsOf = require('./aws-config-sections');

/** The store errors: the store check fails with them. */
const STORE_CODES = new Set(['E_NO_PROFILE_STORE', 'E_MISSING_STORE', 'E_UNREADABLE_CONFIG', 'E_INVALID_CONFIG']);

/** The errors of a session marker the core refused: the session check fails with them. */
const SESSION_CODES = new Set(['E_SESSION_ROLE_MISMATCH', 'E_SESSION_REQUEST_MISMATCH', 'E_SESSION_EXPIRED', 'E_SESSION_ENDPOINT']);

/** The variable that marks a process as running inside a session (core role_env.rs). */
const MARKER = 'SERVERLESS_ACCESS_ROLES_SESSION';

/**
 * One check's answer.
 * @typedef {{ check: string, status: 'ok' | 'warning' | 'failure' | 'skipped', detail: string,
 *   fix?: string, code?: string }} Check
 */

const ok = (check, detail) => ({ check, status: 'ok', detail });
const warning = (check, detail, fix) => ({ check, status: 'warning', detail, fix });
const skipped = (check, detail) => ({ check, status: 'skipped', detail });
/** A failed check from a coded core error, whose message says what to do. */
const failed = (check, err, fix) => ({ check, status: 'failure', code: err.code ?? 'E_INTERNAL', detail: String(err.message), fix });

/** The store: where it was found, and that it parses (describeProfile reads all of it). */
function storeCheck(options, described) {
  const location = native.findProfileStore(options);
  if (!location.exists && !options.configPath) {
    return failed(
      'store',
      { code: 'E_NO_PROFILE_STORE', message: `no profile store: looked for ${location.searched.join(', ')}` },
      'create access-roles.yml in the service directory (`serverless access-role link --create`), or name one with --config or SERVERLESS_ACCESS_ROLES_CONFIG',
    );
  }
  if (described.error && STORE_CODES.has(described.error.code)) return failed('store', described.error);
  return ok('store', `${location.path}, valid`);
}

/** Which profile and role the store gives app and stage, and a near miss of a mapped stage. */
function mappingCheck(app, stage, described) {
  if (described.error) {
    if (STORE_CODES.has(described.error.code)) return skipped('mapping', 'no valid store');
    return failed('mapping', described.error);
  }
  const { value } = described;
  const detail = `${app}/${stage} → profile "${value.profile}" (${value.rule}) → ${value.roleArn}`;
  const near = nearStageWarning(app, stage, value);
  if (near) return warning('mapping', `${detail}; ${near}`, `deploy with --stage ${value.nearStage}, or map stage "${stage}" under apps.${app}.stages`);
  return ok('mapping', detail);
}

/**
 * Who the base identity is, and whether it already is the role (assuming it again is refused).
 * Inside a session, STS is asked who its keys are: the marker alone proves nothing to someone
 * who could write it beside other keys.
 */
async function baseCheck(app, stage, options, assumed) {
  let caller;
  try {
    caller = await native.callerIdentity(app, stage, options);
  } catch (err) {
    return failed('base identity', err);
  }
  if (assumed.value?.source === 'session') {
    if (caller.isTargetRole) return ok('base identity', `inside a session of ${assumed.value.roleArn} (${MARKER}): STS says its keys are ${caller.arn}`);
    return failed(
      'base identity',
      { code: 'E_SESSION_ROLE_MISMATCH', message: `${MARKER} says these keys are a session of ${assumed.value.roleArn}, but STS says they are ${caller.arn}` },
      `unset ${MARKER} and the key variables beside it (set by another tool, or by hand), then run again with your own identity`,
    );
  }
  if (caller.isTargetRole) {
    return failed(
      'base identity',
      { code: 'E_ALREADY_ON_ROLE', message: `${caller.arn} already is the access role: it would assume itself` },
      'run with your own keys: unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (keys exported by another tool), or name your AWS profile with --aws-profile',
    );
  }
  return ok('base identity', `${caller.arn} (account ${caller.account})`);
}

/** The assume itself, with the MFA code and external id the profile asks for. */
function assumeCheck(assumed) {
  if (assumed.skipped) return skipped('assume', assumed.skipped);
  if (assumed.error) {
    const fix = assumed.error.code === 'E_MFA_REQUIRED' ? 'pass --mfa-code CODE (the device\'s current code)' : undefined;
    return failed('assume', assumed.error, fix);
  }
  const keys = assumed.value;
  return ok('assume', `${keys.assumedRoleArn}; keys ${keys.source}, expire ${keys.expiration.toISOString()}`);
}

/** The cache directory: private to the user (the core's rule), and entries another role left. */
function cacheCheck(app, stage, options, described, assumed) {
  const listing = native.listCache(options.cacheDir ? { cacheDir: options.cacheDir } : undefined);
  if (!listing.dir) return warning('cache', 'no cache directory (no home directory)', 'set SERVERLESS_ACCESS_ROLES_CACHE_DIR to a private directory');
  if (assumed.value?.diskCacheOff) {
    return warning(
      'cache',
      `not used: ${assumed.value.diskCacheOff}; keys are cached in memory only`,
      `make ${listing.dir} yours and private (chown, chmod 700), or set SERVERLESS_ACCESS_ROLES_CACHE_DIR to a directory only you can read`,
    );
  }
  if (listing.chosenDir && listing.chosenDir !== listing.dir) {
    return warning(
      'cache',
      `${listing.chosenDir} is not private to you (shared with other users); keys are kept in its private subdirectory ${listing.dir}`,
      'set SERVERLESS_ACCESS_ROLES_CACHE_DIR to a directory only you use',
    );
  }
  const roleArn = described.value?.roleArn;
  const stale = listing.entries.filter((entry) => entry.app === app && entry.stage === stage && roleArn && entry.roleArn && entry.roleArn !== roleArn);
  const count = `${listing.entries.length} unexpired entr${listing.entries.length === 1 ? 'y' : 'ies'}`;
  if (stale.length) {
    return warning(
      'cache',
      `${listing.dir}: ${count}; ${stale.length} for ${app}/${stage} of another role (${stale[0].roleArn})`,
      `serverless-access-roles cache clear --app ${app} --stage ${stage}`,
    );
  }
  return ok('cache', `${listing.dir}: private, ${count}`);
}

/**
 * The AWS config profiles `profiles --write` wrote: current, stale or missing, compared with what
 * `profiles --write` would write with the same `--prefix` and `--stages`.
 */
function profilesCheck(options, { awsConfigPath, prefix = '', stages = [] }) {
  let listing;
  try {
    listing = native.awsConfigProfiles(prefix, options, stages);
  } catch (err) {
    // A --prefix or --stages that cannot be written is this check's own failure.
    if (err.code === 'E_INVALID_ARGUMENT') return failed('aws config profiles', err);
    return skipped('aws config profiles', `no valid store (${err.code})`);
  }
  let state;
  try {
    state = native.awsConfigProfilesState(listing.configPath, sectionsOf(listing), awsConfigPath);
  } catch (err) {
    return failed('aws config profiles', err);
  }
  const names = listing.profiles.map((p) => p.name).join(', ');
  const flags = [prefix ? ` --prefix ${prefix}` : '', stages.length ? ` --stages ${stages.join(',')}` : ''].join('');
  const write = `serverless-access-roles profiles --write${flags}`;
  if (state === 'current') return ok('aws config profiles', `current: ${names || 'none to write'}`);
  if (state === 'stale') return warning('aws config profiles', `the block written for ${listing.configPath} differs from the store: ${names}`, write);
  return warning('aws config profiles', `none written for ${listing.configPath} (Serverless v4, CDK, Terraform and the aws CLI need them)`, write);
}

/** This package's, node's and the framework's versions. */
function versionsCheck(cwd, framework) {
  const own = require('../../package.json').version;
  let found = framework;
  if (!found) {
    for (const name of ['serverless', 'osls']) {
      try {
        const file = require.resolve(`${name}/package.json`, { paths: [cwd] });
        found = `${name} ${JSON.parse(fs.readFileSync(file, 'utf8')).version} (${path.dirname(file)})`;
        break;
      } catch {
        // Not installed here: the next name.
      }
    }
  }
  return ok('versions', `serverless-access-roles ${own}, node ${process.versions.node}, ${found ?? 'no serverless or osls installed here'}`);
}

/** A session marker in the environment, and whether the core believed it. */
function sessionCheck(assumed) {
  if (!process.env[MARKER]) return ok('session marker', 'none: not inside a session');
  if (assumed.value?.source === 'session') return ok('session marker', `matches its keys or their endpoint: ${assumed.value.roleArn}`);
  if (assumed.value?.sessionIgnored) {
    return warning(
      'session marker',
      `ignored: ${assumed.value.sessionIgnored}`,
      `unset ${MARKER} if it came from another shell; a session made by another base identity than the one you name is never used`,
    );
  }
  if (SESSION_CODES.has(assumed.error?.code)) return failed('session marker', assumed.error);
  return ok('session marker', 'set, not for this role');
}

/** Settles a promise or a call into `{ value }` or `{ error }`. */
async function settle(work) {
  try {
    return { value: await work() };
  } catch (error) {
    return { error };
  }
}

/**
 * Runs every check for `app` and `stage` with `options` (resolveCredentials' options, plus
 * `awsConfigPath`, and the `profilesPrefix` and `profilesStages` that `profiles --write` was
 * given), in order: store, mapping, base identity, assume, cache, AWS config profiles, versions,
 * session marker.
 * @param {string} app
 * @param {string} stage
 * @param {object} options
 * @param {{ framework?: string }} [context] the framework's name and version, when a framework
 *   runs doctor
 * @returns {Promise<Check[]>}
 */
async function doctorChecks(app, stage, options, { framework } = {}) {
  const { awsConfigPath, profilesPrefix, profilesStages, ...resolveOptions } = options;
  const described = await settle(() => native.describeProfile(app, stage, resolveOptions));
  const assumed = described.error
    ? { skipped: 'no profile for this app and stage' }
    : await settle(() => native.resolveCredentials(app, stage, { ...resolveOptions, forceRefresh: true }));
  const base = described.error ? skipped('base identity', 'no profile for this app and stage') : await baseCheck(app, stage, resolveOptions, assumed);
  return [
    storeCheck(resolveOptions, described),
    mappingCheck(app, stage, described),
    base,
    assumeCheck(assumed),
    cacheCheck(app, stage, resolveOptions, described, assumed),
    profilesCheck(resolveOptions, { awsConfigPath, prefix: profilesPrefix, stages: profilesStages }),
    versionsCheck(resolveOptions.cwd ?? process.cwd(), framework),
    sessionCheck(assumed),
  ];
}

/** How each status starts its line. */
const MARKS = { ok: 'ok     ', warning: 'warning', failure: 'FAILED ', skipped: 'skipped' };

/**
 * The checks as lines: `STATUS  check: detail`, and `fix: …` under a warning or failure.
 * @param {Check[]} checks
 * @returns {string}
 */
function renderChecks(checks) {
  // A path or value with a line break must not forge a line of its own.
  // eslint-disable-next-line no-control-regex
  const oneLine = (text) => String(text).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return checks
    .map(({ check, status, detail, fix, code }) => {
      const line = `${MARKS[status]}  ${check}: ${code ? `${code}: ` : ''}${oneLine(detail)}\n`;
      return fix ? `${line}         fix: ${oneLine(fix)}\n` : line;
    })
    .join('');
}

module.exports = { doctorChecks, renderChecks };
