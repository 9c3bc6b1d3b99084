'use strict';

const fromNativeError = require('./from-native-error');
const isNoProfile = require('./is-no-profile');
const resolveCredentials = require('../api/resolve-credentials');
const resolveWithMfa = require('../shared/resolve-with-mfa');
const takeEnvMfaCode = require('../shared/env-mfa-code');
const userError = require('./user-error');

const LINK_HINT = 'Map a profile with: serverless access-role link --profile NAME --role-arn ARN [--stage STAGE]';

/**
 * Resolves the access role's keys for the service's app and stage, with a spinner while STS
 * answers, asking for an MFA code on a terminal when the profile needs one (../shared/resolve-with-mfa).
 * When no profile applies (no store found, or none for this app and stage: the core's codes),
 * warns and returns null (the framework then uses its own credentials), unless a role is
 * mandatory: then, as for every other failure (a store named by a setting or variable that is
 * missing is `E_MISSING_STORE`), it throws a user error.
 *
 * The returned `resolveAgain` is what refreshes call, with extra resolve options (the base
 * environment of an exported session, see ../shared/export-session). It never reuses the code given at the start
 * (`--mfa-code` or `SERVERLESS_ACCESS_ROLES_MFA_CODE`, taken out of the environment): a code is
 * spent by then, so a refresh needing MFA asks on the terminal or fails saying why.
 *
 * @param {object} serverless the framework instance
 * @param {ReturnType<import('./read-settings')>} settings
 * @param {{ log: ReturnType<import('./create-log')>, mustHaveRole: boolean,
 *   terminal?: { stdin: object, stderr: object } }} context `terminal` defaults to `process`
 * @returns {Promise<{ credentials: import('../../index').AccessRoleCredentials,
 *   resolveAgain: (more?: import('../../index').ResolveOptions) => Promise<import('../../index').AccessRoleCredentials> } | null>}
 *   the credentials, and the resolver bound to this app and stage for refreshing them
 */
async function resolveServiceCredentials(serverless, settings, { log, mustHaveRole, terminal = process }) {
  const { app, stage, resolveOptions } = settings;
  const envMfaCode = takeEnvMfaCode();
  const resolve = (extra) => resolveCredentials(app, stage, { ...resolveOptions, ...extra });
  // The rejection names the device (`error.mfaSerial`): no second look at the store. The
  // question's modules (readline) load only when it is asked, not with every command.
  const ask = (error) => require('../shared/ask-mfa-code')(error.mfaSerial, terminal);
  // Refreshes fail inside the SDK's credential chain, which reports the bottom error's message.
  const resolveAgain = (more = {}) =>
    resolveWithMfa((extra) => resolve({ ...more, ...extra }), { ask }).catch((error) => {
      if (error.code !== 'E_MFA_REQUIRED') throw fromNativeError(serverless, error);
      throw userError(
        serverless,
        `Access roles: the keys for ${app}/${stage} ran out during this command and new ones need ` +
          'a fresh MFA code, but there is no terminal to ask on. Give the profile a longer ' +
          'durationSeconds, or run the command on a terminal.',
        'ACCESS_ROLES_MFA_REQUIRED',
      );
    });

  const spinner = log.spinner(`Assuming the access role for ${app}/${stage}`);
  let spinning = true;
  const stopSpinner = () => {
    if (spinning) spinner.remove();
    spinning = false;
  };
  try {
    const credentials = await resolveWithMfa(resolve, {
      mfaCode: settings.mfaCode || envMfaCode,
      ask: (error) => {
        stopSpinner(); // it would draw over the question
        return ask(error);
      },
    });
    return { credentials, resolveAgain };
  } catch (error) {
    if (!isNoProfile(error)) throw fromNativeError(serverless, error);
    if (mustHaveRole) {
      const why = settings.required
        ? "\ncustom.accessRoles.required is true, so the framework's own credentials are not used. "
        : '\n';
      error.message += `${why}${LINK_HINT}`;
      throw fromNativeError(serverless, error);
    }
    log.warning(
      `Access roles: ${error.message}\nUsing the framework's own AWS credentials. Set ` +
        'custom.accessRoles.required: true to make this an error instead.',
    );
    return null;
  } finally {
    stopSpinner();
  }
}

module.exports = resolveServiceCredentials;
