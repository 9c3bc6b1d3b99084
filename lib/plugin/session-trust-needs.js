'use strict';

const { describeProfile } = require('../native');
const fromNativeError = require('./from-native-error');
const isNoProfile = require('./is-no-profile');

/**
 * What the deployment profile of this app and stage needs from the trust policy of its role, so
 * that `access-role template` can allow it: session tags, a source identity, and — for a profile
 * chained with `via` — the role whose keys assume it, which is then the principal to trust.
 *
 * @param {object} serverless the framework instance
 * @param {ReturnType<import('./read-settings')>} settings
 * @returns {{ profile?: string, tagSession: boolean, setSourceIdentity: boolean, viaRoleArn?: string }}
 *   no `profile` when none applies yet
 */
function sessionTrustNeeds(serverless, settings) {
  let described;
  try {
    described = describeProfile(settings.app, settings.stage, settings.resolveOptions);
  } catch (error) {
    // No profile yet: the template is the first step of setting one up.
    if (isNoProfile(error)) return { tagSession: false, setSourceIdentity: false };
    throw fromNativeError(serverless, error);
  }
  return trustNeeds(described);
}

/** What a described profile (describeProfile's answer) needs from its role's trust policy. */
function trustNeeds(described) {
  return {
    profile: described.profile,
    tagSession: described.sessionTagKeys.length > 0 || described.transitiveTagKeys.length > 0,
    setSourceIdentity: described.sourceIdentity !== undefined && described.sourceIdentity !== null,
    viaRoleArn: described.viaRoleArns[described.viaRoleArns.length - 1],
  };
}

sessionTrustNeeds.of = trustNeeds;

module.exports = sessionTrustNeeds;
