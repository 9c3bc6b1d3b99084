'use strict';

/** Store answers that mean "no profile for this service (yet)" rather than a broken setup. */
const NO_PROFILE_CODES = new Set(['E_NO_PROFILE', 'E_NO_PROFILE_STORE']);

/**
 * Whether a native error says that no profile applies: no store, or no profile in it for this
 * app and stage.
 *
 * @param {{ code?: string }} error
 * @returns {boolean}
 */
function isNoProfile(error) {
  return NO_PROFILE_CODES.has(error.code);
}

module.exports = isNoProfile;
