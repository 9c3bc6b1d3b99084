'use strict';

/**
 * Resolves keys, asking once for an MFA code when STS needs one: resolving rejects with
 * `E_MFA_REQUIRED` and no code was given. `ask` gets that rejection, which names the device
 * (`error.mfaSerial`), and answers the code; it rejects when no one can be asked (no terminal) or
 * the question is cancelled (Ctrl-C, end of input). Then, and for every other failure, the
 * original rejection stands: its message already says to pass `--mfa-code` or set
 * `SERVERLESS_ACCESS_ROLES_MFA_CODE`.
 *
 * Cached keys need no code: the native resolver asks for one only when it calls STS, so a
 * person is asked once per key lifetime, not once per command. The plugin asks on the process's
 * terminal, the bin on its controlling terminal (both through ./ask-mfa-code).
 *
 * @template T
 * @param {(extra: { mfaCode?: string }) => Promise<T>} resolve resolves with extra options
 * @param {{ mfaCode?: string, ask: (error: Error & { mfaSerial: string }) => Promise<string> }} context
 *   the code given up front, and the question
 * @returns {Promise<T>}
 */
async function resolveWithMfa(resolve, { mfaCode, ask }) {
  try {
    return await resolve(mfaCode ? { mfaCode } : {});
  } catch (error) {
    if (error.code !== 'E_MFA_REQUIRED' || mfaCode) throw error;
    let code;
    try {
      code = await ask(error);
    } catch {
      throw error;
    }
    return resolve({ mfaCode: code });
  }
}

module.exports = resolveWithMfa;
