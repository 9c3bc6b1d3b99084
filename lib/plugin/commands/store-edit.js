'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describeProfile, findProfileStore } = require('../../native');
const fromNativeError = require('../from-native-error');
const linkProfile = require('../../api/link-profile');
const userError = require('../user-error');

/** The value at `keys` in a parsed store, or undefined. */
function valueAt(data, keys) {
  return keys.reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), data);
}

/** The current store's data, for reporting what changes; null for a new or empty store. */
function parseStore(text, json) {
  if (!text.trim()) return null;
  return json ? JSON.parse(text) : require('yaml').parse(text);
}

/**
 * What `link` is about to change, as lines for the user: `profile "sandbox": roleArn A → B`,
 * `apps.payments.stages.qa: production → sandbox`; a new profile or mapping shows its value.
 */
function describeChanges(data, link) {
  const lines = [];
  const existing = valueAt(data, ['profiles', link.profile]);
  const fields = [['roleArn', link.roleArn], ['externalId', link.externalId]];
  for (const [field, value] of fields) {
    if (value === undefined) continue;
    const old = existing && existing[field];
    if (old === value) continue;
    const where = existing ? `profile "${link.profile}"` : `profile "${link.profile}" (new)`;
    lines.push(old === undefined ? `${where}: ${field} ${value}` : `${where}: ${field} ${old} → ${value}`);
  }
  const mapping = mappingKeys(link);
  const old = valueAt(data, mapping);
  if (old !== link.profile) lines.push(`${mapping.join('.')}: ${old === undefined ? link.profile : `${old} → ${link.profile}`}`);
  return lines;
}

/** Where the app (or stage) is mapped: `apps.APP.stages.STAGE` or `apps.APP.defaultProfile`. */
function mappingKeys({ app, stage }) {
  return stage ? ['apps', app, 'stages', stage] : ['apps', app, 'defaultProfile'];
}

/**
 * Plans a `link`: finds the store (creating none), computes its new text with comments kept
 * (lib/api/link-profile), and what that changes.
 *
 * @param {object} serverless the framework instance
 * @param {ReturnType<import('../read-settings')>} settings
 * @param {{ profile: string, roleArn: string, externalId?: string, app: string, stage?: string }} link
 * @returns {{ store: { path: string, exists: boolean }, current: string, text: string,
 *   profiles: string[], changes: string[] }} `profiles`: the profile names the store has now
 * @throws ACCESS_ROLES_UNEDITABLE_CONFIG when the store is not valid YAML/JSON
 */
function planStoreEdit(serverless, settings, link) {
  // The store the native resolver reads, or where a new one goes when there is none.
  const { configPath, cwd } = settings.resolveOptions;
  const store = findProfileStore({ configPath, cwd });
  const json = path.extname(store.path) === '.json';
  try {
    const current = store.exists ? fs.readFileSync(store.path, 'utf8') : '';
    const data = parseStore(current, json);
    return {
      store,
      current,
      text: linkProfile(current, { ...link, json }),
      profiles: Object.keys(valueAt(data, ['profiles']) || {}),
      changes: describeChanges(data, link),
    };
  } catch (error) {
    throw userError(
      serverless,
      `Cannot update ${store.path}: ${error.message}. Fix the file by hand, then run the command again.`,
      'ACCESS_ROLES_UNEDITABLE_CONFIG',
    );
  }
}

/**
 * Checks a store text with the native reader, as the store would read: written to a temporary
 * file with the store's extension (so it parses the same way) and described for app and stage.
 * With `commit`, the file sits beside the store and is renamed over it once the check passes, so
 * a rejected edit never leaves a broken store behind; without, it is removed (a dry check before
 * anything else happens).
 *
 * @returns {import('../../../index').ProfileDescription} how the store answers for app and stage
 * @throws the native error, as a user error naming the store rather than the temporary file
 */
function checkStoreText(serverless, store, text, { app, stage, resolveOptions, commit }) {
  const ext = path.extname(store.path);
  // A symlinked store (a team's shared one) is written through to its target, whose directory
  // takes the temporary file, as `profiles --write` writes the AWS config.
  const target = store.exists ? fs.realpathSync(store.path) : store.path;
  const dir = commit ? path.dirname(target) : fs.mkdtempSync(path.join(os.tmpdir(), 'access-roles-check-'));
  const temp = path.join(dir, commit ? `.${path.basename(target, path.extname(target))}.${process.pid}.tmp${ext}` : path.basename(store.path));
  const mode = store.exists ? fs.statSync(target).mode & 0o777 : 0o644;
  try {
    if (commit) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(temp, text, { mode });
    const described = describeProfile(app, stage, { ...resolveOptions, configPath: temp });
    if (commit) fs.renameSync(temp, target);
    return { ...described, configPath: store.path };
  } catch (error) {
    // The native message names the temporary file; the user knows the store.
    if (typeof error.message === 'string') error.message = error.message.split(temp).join(store.path);
    throw fromNativeError(serverless, error);
  } finally {
    if (commit) fs.rmSync(temp, { force: true });
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { planStoreEdit, checkStoreText, mappingKeys };
