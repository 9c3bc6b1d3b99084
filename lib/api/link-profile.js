'use strict';

const NEW_STORE_HEADER =
  ' Deployment profiles for serverless-access-roles: which IAM access role each app and stage\n' +
  ' deploys with. Edit by hand or with `serverless access-role link`.';

/**
 * The edits, as [path, value] pairs: the profile's fields, then the app's or stage's mapping,
 * where the core's `mappingPath` puts it.
 */
function edits({ profile, roleArn, externalId, app, stage }) {
  const list = [[['profiles', profile, 'roleArn'], roleArn]];
  if (externalId) list.push([['profiles', profile, 'externalId'], externalId]);
  list.push([require('../native').mappingPath(app, stage), profile]);
  return list;
}

/** Sets `key` of `node` as its own property, whatever the name: `__proto__` is a plain key here. */
function setOwn(node, key, value) {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** The object under `key` of `node`, own and not inherited; a new one without a prototype if none. */
function child(node, key) {
  const found = Object.hasOwn(node, key) ? node[key] : undefined;
  return found !== null && typeof found === 'object' && !Array.isArray(found) ? found : setOwn(node, key, Object.create(null));
}

/**
 * Writes a deployment profile and an app (or stage) mapping into a profile store's text.
 * YAML is edited through the `yaml` package's Document API, so comments, key order and the
 * rest of the file survive; a `.json` store is rewritten as JSON (it has no comments).
 *
 * @param {string} text the store's current text ('' for a new store)
 * @param {{ profile: string, roleArn: string, externalId?: string, app: string, stage?: string,
 *   json?: boolean }} link what to write; without `stage` the app's `defaultProfile` is set
 * @returns {string} the new text
 * @throws {Error} when the current text is not valid YAML/JSON (the message names line and column)
 */
function linkProfile(text, link) {
  if (link.json) {
    // Names are data: a profile, app or stage named `__proto__` must not reach Object.prototype.
    // The core refuses such names when the store is read (crates/core/src/profiles/names.rs).
    const store = text.trim() ? JSON.parse(text) : Object.create(null);
    for (const [path, value] of edits(link)) {
      const parent = path.slice(0, -1).reduce(child, store);
      setOwn(parent, path[path.length - 1], value);
    }
    return `${JSON.stringify(store, null, 2)}\n`;
  }
  // Loaded here, not at the top: `require('serverless-access-roles')` in scripts stays fast.
  const YAML = require('yaml');
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw doc.errors[0];
  if (!text.trim()) doc.commentBefore = NEW_STORE_HEADER;
  for (const [path, value] of edits(link)) doc.setIn(path, value);
  return doc.toString();
}

module.exports = linkProfile;
