'use strict';

/**
 * Resolves keys, asking once for an MFA code when STS needs one and a person can answer:
 * resolving rejects with `E_MFA_REQUIRED`, no code was given, and stdin and stderr (where the
 * question goes) are terminals. Otherwise the rejection stands; its message already says to
 * pass `--mfa-code` or set `SERVERLESS_ACCESS_ROLES_MFA_CODE`. A cancelled question
 * (Ctrl-C, end of input) also leaves that error.
 *
 * Cached keys need no code: the native resolver asks for one only when it calls STS, so a
 * person is asked once per key lifetime, not once per command.
 *
 * @template T
 * @param {(extra: { mfaCode?: string }) => Promise<T>} resolve resolves with extra options
 * @param {{ mfaCode?: string, terminal: { stdin: { isTTY?: boolean }, stderr: { isTTY?: boolean } },
 *   ask: (error: Error & { mfaSerial: string }) => Promise<string> }} context the code given up
 *   front, the process's streams, and the question (../shared/ask-mfa-code), handed the `E_MFA_REQUIRED`
 *   rejection that names the device
 * @returns {Promise<T>}
 */
async function resolveWithMfa(resolve, { mfaCode, terminal, ask }) {
  try {
    return await resolve(mfaCode ? { mfaCode } : {});
  } catch (error) {
    const interactive = Boolean(terminal.stdin.isTTY && terminal.stderr.isTTY);
    if (error.code !== 'E_MFA_REQUIRED' || mfaCode || !interactive) throw error;
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
