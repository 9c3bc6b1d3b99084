'use strict';

/** How each source of keys reads in a line. */
const SOURCES = { sts: 'fresh from STS', cache: 'cached', session: "the session this process runs in" };

/**
 * One line saying which identity a resolve answered, and why: app/stage → profile (the store
 * rule that chose it) → role, where the keys came from and the base identity that called STS.
 * The plugin and the bin print it before anything runs on the keys.
 *
 * @param {string} app
 * @param {string} stage
 * @param {import('../../index').AccessRoleCredentials} credentials
 * @returns {string}
 */
function resolvedLine(app, stage, credentials) {
  const base = credentials.baseProfile ? `AWS profile "${credentials.baseProfile}"` : 'the default credential chain';
  return (
    `${app}/${stage} → profile "${credentials.profile}" (${credentials.rule}) → ${credentials.roleArn}; ` +
    `keys ${SOURCES[credentials.source] ?? credentials.source}, base identity ${base}, ` +
    `expire ${credentials.expiration.toISOString()}`
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
