'use strict';

/**
 * How the bin and the plugin name the setting a native error's `hint` points at (the core's
 * `Hint`, see docs/ARCHITECTURE.md, "Errors are data"): the core's message names no flag, since
 * the bin's `--aws-profile` and the plugin's `custom.accessRoles.app` are each one front-end's
 * words. The API's are the hint itself: `error.hint` is the option (`baseProfile`, `mfaCode`,
 * `configPath`) or argument (`app`) that sets it.
 */
const WORDS = {
  baseProfile: { what: 'the base profile', cli: '--aws-profile NAME', plugin: '--aws-profile NAME or provider.profile' },
  mfaCode: { what: 'the MFA code', cli: '--mfa-code CODE', plugin: '--mfa-code CODE' },
  app: { what: 'the app', cli: '--app APP', plugin: 'custom.accessRoles.app or --app APP' },
  configPath: { what: 'the store path', cli: '--config PATH', plugin: 'custom.accessRoles.configPath' },
};

/**
 * A native error's message with the setting its `hint` names, in `frontEnd`'s words:
 * `…; the MFA code is given with --mfa-code CODE`. Without a known hint, the message unchanged.
 *
 * @param {{ message: string, hint?: string }} error
 * @param {'cli' | 'plugin'} frontEnd
 * @returns {string}
 */
function withHint(error, frontEnd) {
  const words = Object.hasOwn(WORDS, error.hint) ? WORDS[error.hint] : null;
  if (!words) return String(error.message);
  return `${error.message}; ${words.what} is given with ${words[frontEnd]}`;
}

module.exports = { withHint, WORDS };
