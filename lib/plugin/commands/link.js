'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { describeProfile } = require('../../native');
const fromNativeError = require('../from-native-error');
const linkProfile = require('../../api/link-profile');
const locateStore = require('../locate-store');
const userError = require('../user-error');

/**
 * Checks the new store text with the native reader before it replaces the store: written to a
 * temporary file beside the store (same extension, so it parses the same way), described, then
 * renamed over the store, so a rejected edit never leaves a broken store behind.
 *
 * @returns {import('../../index').ProfileDescription} how the store now answers for app and stage
 */
function replaceChecked(serverless, store, text, { app, stage, resolveOptions }) {
  const ext = path.extname(store.path);
  const temp = path.join(path.dirname(store.path), `.${path.basename(store.path, ext)}.${process.pid}.tmp${ext}`);
  const mode = store.exists ? fs.statSync(store.path).mode & 0o777 : 0o644;
  fs.mkdirSync(path.dirname(store.path), { recursive: true });
  fs.writeFileSync(temp, text, { mode });
  try {
    const described = describeProfile(app, stage, { ...resolveOptions, configPath: temp });
    fs.renameSync(temp, store.path);
    return { ...described, configPath: store.path };
  } catch (error) {
    fs.rmSync(temp, { force: true });
    // The native message names the temporary file; the user knows the store.
    if (typeof error.message === 'string') error.message = error.message.split(temp).join(store.path);
    throw fromNativeError(serverless, error);
  }
}

/**
 * `serverless access-role link --profile NAME --role-arn ARN [--app A] [--stage S]
 * [--external-id X]`: writes the profile and maps the app (or one stage of it) to it in the
 * profile store, keeping the store's other content and comments, and creates the store beside
 * serverless.yml when there is none.
 *
 * @param {import('..')} plugin
 */
function runLink(plugin) {
  const { serverless, options, log } = plugin;
  const settings = plugin.settings();
  const link = {
    profile: options.profile,
    roleArn: options['role-arn'],
    externalId: options['external-id'],
    app: options.app || settings.app,
    stage: options.stage,
  };
  const store = locateStore(settings.resolveOptions);
  let text;
  try {
    const current = store.exists ? fs.readFileSync(store.path, 'utf8') : '';
    text = linkProfile(current, { ...link, json: path.extname(store.path) === '.json' });
  } catch (error) {
    throw userError(
      serverless,
      `Cannot update ${store.path}: ${error.message}. Fix the file by hand, then run the command again.`,
      'ACCESS_ROLES_UNEDITABLE_CONFIG',
    );
  }
  const stage = link.stage || settings.stage;
  const described = replaceChecked(serverless, store, text, { app: link.app, stage, resolveOptions: settings.resolveOptions });

  const mapping = link.stage ? `apps.${link.app}.stages.${link.stage}` : `apps.${link.app}.defaultProfile`;
  log.notice(`${store.exists ? 'Updated' : 'Created'} ${store.path}: profile "${link.profile}" (${link.roleArn}), ${mapping}.`);
  if (described.profile !== link.profile) {
    log.warning(`Stage "${stage}" still uses profile "${described.profile}", chosen by ${described.rule}.`);
  }
  log.notice(`Check it with: serverless access-role test${link.stage ? ` --stage ${link.stage}` : ''}`);
}

module.exports = runLink;
