'use strict';

const fs = require('node:fs');
const YAML = require('yaml');
const { describeProfile } = require('./native');
const fromNativeError = require('./from-native-error');

/** Store answers that mean "no profile yet": the template is the first step of setting one up. */
const NO_PROFILE_CODES = new Set(['E_NO_PROFILE', 'E_NO_PROFILE_STORE']);

/** Whether a store value holds something: a non-empty string, list or mapping. */
function isSet(value) {
  if (Array.isArray(value) || typeof value === 'string') return value.length > 0;
  return Boolean(value) && typeof value === 'object' && Object.keys(value).length > 0;
}

/**
 * What the deployment profile of this app and stage sends with AssumeRole beyond the role, so
 * that `access-role template` can allow it in the trust policy: session tags and a source
 * identity. The native `describeProfile` picks the profile and validates the store; its fields
 * are then read from the store text, since the description does not carry them.
 *
 * @param {object} serverless the framework instance
 * @param {ReturnType<import('./read-settings')>} settings
 * @returns {{ profile?: string, tagSession: boolean, setSourceIdentity: boolean }} no `profile`
 *   when none applies yet
 */
function sessionTrustNeeds(serverless, settings) {
  let described;
  try {
    described = describeProfile(settings.app, settings.stage, settings.resolveOptions);
  } catch (error) {
    if (NO_PROFILE_CODES.has(error.code)) return { tagSession: false, setSourceIdentity: false };
    throw fromNativeError(serverless, error);
  }
  const store = YAML.parse(fs.readFileSync(described.configPath, 'utf8'));
  const profile = store.profiles[described.profile];
  return {
    profile: described.profile,
    tagSession: isSet(profile.sessionTags) || isSet(profile.transitiveTagKeys),
    setSourceIdentity: isSet(profile.sourceIdentity),
  };
}

module.exports = sessionTrustNeeds;
