'use strict';

const fs = require('node:fs');
const { checkStore, describeStore, findProfileStore, mappingPath, saveStore } = require('../../native');
const fromNativeError = require('../from-native-error');
const linkProfile = require('../../api/link-profile');
const userError = require('../user-error');

/**
 * What `link` is about to change, as lines for the user: `profile "sandbox": roleArn A → B`,
 * `apps.payments.stages.qa: production → sandbox`; a new profile or mapping shows its value.
 *
 * @param {ReturnType<import('../../native').describeStore>} described the store before the edit
 */
function describeChanges(described, link) {
  const lines = [];
  const existing = described.profiles.find((profile) => profile.name === link.profile);
  const fields = [['roleArn', link.roleArn], ['externalId', link.externalId]];
  for (const [field, value] of fields) {
    if (value === undefined) continue;
    const old = existing ? (existing[field] ?? undefined) : undefined;
    if (old === value) continue;
    const where = existing ? `profile "${link.profile}"` : `profile "${link.profile}" (new)`;
    lines.push(old === undefined ? `${where}: ${field} ${value}` : `${where}: ${field} ${old} → ${value}`);
  }
  const mapping = mappingPath(link.app, link.stage);
  const key = mapping.join('.');
  const found = described.mappings.find((m) => m.path.length === mapping.length && m.path.every((k, i) => k === mapping[i]));
  const old = found && found.profile;
  if (old !== link.profile) lines.push(`${key}: ${old === undefined ? link.profile : `${old} → ${link.profile}`}`);
  return lines;
}

/** Why a store cannot be edited, from the native error's fields: where, and what is wrong. */
function uneditable(error) {
  if (error.code !== 'E_INVALID_CONFIG') return error.message;
  const at = error.line ? `line ${error.line}${error.column ? `, column ${error.column}` : ''}: ` : '';
  return `${at}${error.field ? `${error.field}: ` : ''}${error.reason}`;
}

/**
 * Plans a `link`: finds the store (creating none), reads what it holds (the core's
 * describeStore: profiles and mappings, in the format the core decides), computes its new text
 * with comments kept (lib/api/link-profile), and what that changes.
 *
 * @param {object} serverless the framework instance
 * @param {ReturnType<import('../read-settings')>} settings
 * @param {{ profile: string, roleArn: string, externalId?: string, app: string, stage?: string }} link
 * @returns {{ store: { path: string, exists: boolean, format: 'yaml' | 'json' }, current: string, text: string,
 *   profiles: string[], changes: string[] }} `profiles`: the profile names the store has now
 * @throws ACCESS_ROLES_UNEDITABLE_CONFIG when the store is not valid YAML/JSON
 */
function planStoreEdit(serverless, settings, link) {
  // The store the native resolver reads, or where a new one goes when there is none.
  const { configPath, cwd } = settings.resolveOptions;
  const store = findProfileStore({ configPath, cwd });
  try {
    const current = store.exists ? fs.readFileSync(store.path, 'utf8') : '';
    const described = describeStore({ path: store.path, format: store.format }, current);
    return {
      store,
      current,
      text: linkProfile(current, { ...link, json: store.format === 'json' }),
      profiles: described.profiles.map((profile) => profile.name),
      changes: describeChanges(described, link),
    };
  } catch (error) {
    throw userError(
      serverless,
      `Cannot update ${store.path}: ${uneditable(error)}. Fix the file by hand, then run the command again.`,
      'ACCESS_ROLES_UNEDITABLE_CONFIG',
    );
  }
}

/**
 * Checks a store text with the native reader as the store would read (the core's checkStore,
 * in memory), and answers how it describes app and stage. With `commit`, the text then replaces
 * the store (the core's saveStore: whole or not at all, keeping its mode, owner and group).
 *
 * @returns {import('../../../index').ProfileDescription} how the store answers for app and stage
 * @throws the native error as a user error: it names the store, line and column
 */
function checkStoreText(serverless, store, text, { app, stage, resolveOptions, commit }) {
  let described;
  try {
    described = checkStore(text, { path: store.path, format: store.format, app, stage }, resolveOptions);
  } catch (error) {
    throw fromNativeError(serverless, error);
  }
  if (commit) {
    try {
      saveStore(store.path, text);
    } catch (error) {
      throw fromNativeError(serverless, error);
    }
  }
  return described;
}

module.exports = { planStoreEdit, checkStoreText };
