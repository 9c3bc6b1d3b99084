'use strict';

const { WORDS } = require('./hint-words');

/** How each source of keys reads in a line, with the base identity that called STS for them. */
const SOURCES = { sts: 'fresh from STS', cache: 'cached' };

/** How the session's keys read: no base identity was used for them (the core decided the session answers). */
const SESSION_KEYS = 'the session this process runs in (made before this command; no base identity used)';

/**
 * One line saying which identity a resolve answered, and why: app/stage → profile (the store
 * rule that chose it) → role, where the keys came from and, for keys from STS or the cache, the
 * base identity that called STS. Keys of the session the process runs in name none: another
 * process made them. The plugin and the bin print it before anything runs on the keys.
 *
 * @param {string} app
 * @param {string} stage
 * @param {import('../../index').AccessRoleCredentials} credentials
 * @param {'cli' | 'plugin'} frontEnd whose words name the base profile setting
 * @returns {string}
 */
function resolvedLine(app, stage, credentials, frontEnd) {
  const chain = credentials.awsProfileShadowed
    ? `the default credential chain's key variables (AWS_PROFILE "${credentials.awsProfileShadowed}" is not read beside them; name it with ${WORDS.baseProfile[frontEnd]})`
    : 'the default credential chain';
  const base = credentials.baseProfile ? `AWS profile "${credentials.baseProfile}"` : chain;
  const keys =
    credentials.source === 'session'
      ? SESSION_KEYS
      : `${SOURCES[credentials.source] ?? credentials.source}, base identity ${base}`;
  return (
    `${app}/${stage} → profile "${credentials.profile}" (${credentials.rule}) → ${credentials.roleArn}; ` +
    `keys ${keys}, expire ${credentials.expiration.toISOString()}`
  );
}

/**
 * A warning when a default chose the profile for a stage that is a near miss of a mapped one
 * (`prd` for `prod`): a likely typo, which would otherwise run silently on the default's role.
 *
 * @param {string} app
 * @param {string} stage
 * @param {{ nearStage?: string | null, rule: string, profile: string }} described credentials
 *   or a profile description
 * @returns {string | undefined}
 */
function nearStageWarning(app, stage, described) {
  if (!described.nearStage) return undefined;
  return (
    `stage "${stage}" of app "${app}" has no mapping, so ${described.rule} chose profile ` +
    `"${described.profile}"; did you mean stage "${described.nearStage}"?`
  );
}

module.exports = { resolvedLine, nearStageWarning };
