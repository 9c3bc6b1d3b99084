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
    const store = text.trim() ? JSON.parse(text) : {};
    for (const [path, value] of edits(link)) {
      const parent = path.slice(0, -1).reduce((node, key) => (node[key] = node[key] || {}), store);
      parent[path[path.length - 1]] = value;
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
