'use strict';

const util = require('node:util');

/** Fields whose values never show, in any casing the SDKs and the native API use. */
const SECRET_FIELDS = new Set(['secretAccessKey', 'sessionToken', 'SecretAccessKey', 'SessionToken']);

/** `ASIA****************`: the key id's four-letter kind (ASIA temporary, AKIA long-lived) only. */
function maskKeyId(id) {
  return typeof id === 'string' && id.length > 4 ? `${id.slice(0, 4)}${'*'.repeat(id.length - 4)}` : id;
}

/** The `[util.inspect.custom]` of redacted objects: their enumerable fields, secrets hidden. */
function inspectRedacted(depth, options) {
  const shown = {};
  for (const [name, value] of Object.entries(this)) {
    if (SECRET_FIELDS.has(name)) shown[name] = value ? '[redacted]' : value;
    else if (name === 'accessKeyId' || name === 'AccessKeyId') shown[name] = maskKeyId(value);
    else shown[name] = value;
  }
  const name = this.constructor && this.constructor !== Object ? `${this.constructor.name} ` : '';
  return `${name}${util.inspect(shown, { ...options, depth: options.depth === null ? null : depth })}`;
}

/**
 * Makes `util.inspect` (and so `console.log`, the frameworks' `--debug` dumps and test-runner
 * diffs) show a credentials object with its access key id masked and its secret key and
 * session token as `'[redacted]'`, the way aws-config's `Credentials` has a redacting `Debug`.
 *
 * The hook is a non-enumerable symbol property: the fields stay readable
 * (`credentials.secretAccessKey`), `JSON.stringify` is unchanged, and a spread copy (`{ ...credentials }`)
 * is a plain object again, without the hook.
 *
 * @template {object} T
 * @param {T} credentials `{ accessKeyId, secretAccessKey, sessionToken, … }`, an `AWS.Credentials`,
 *   or an SDK v3 identity
 * @returns {T} the same object
 */
function redact(credentials) {
  Object.defineProperty(credentials, util.inspect.custom, { value: inspectRedacted, configurable: true, writable: true });
  return credentials;
}

module.exports = redact;
