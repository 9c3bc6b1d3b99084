'use strict';

const { checkStoreText } = require('./store-edit');
const { mappingPath } = require('../../native');

/**
 * Writes a planned `link` (./store-edit planStoreEdit) into the profile store, checked by the
 * native reader before it replaces the store, and says what changed. A link the store already
 * has writes nothing, so the file stays byte-identical.
 *
 * @param {import('..')} plugin
 * @param {ReturnType<import('../read-settings')>} settings
 * @param {{ profile: string, roleArn: string, externalId?: string, app: string, stage?: string }} link
 * @param {ReturnType<import('./store-edit').planStoreEdit>} plan
 */
function saveLink(plugin, settings, link, plan) {
  const { serverless, log } = plugin;
  const mapping = mappingPath(link.app, link.stage).join('.');
  if (plan.store.exists && plan.changes.length === 0) {
    log.notice(`${plan.store.path}: no changes (profile "${link.profile}" already has ${link.roleArn}, ${mapping}).`);
    return;
  }
  const stage = link.stage || settings.stage;
  const described = checkStoreText(serverless, plan.store, plan.text, {
    app: link.app,
    stage,
    resolveOptions: settings.resolveOptions,
    commit: true,
  });
  log.notice(`${plan.store.exists ? 'Updated' : 'Created'} ${plan.store.path}: profile "${link.profile}" (${link.roleArn}), ${mapping}.`);
  for (const line of plan.changes) log.notice(`  ${line}`);
  if (described.profile !== link.profile) {
    log.warning(`Stage "${stage}" still uses profile "${described.profile}", chosen by ${described.rule}.`);
  }
}

/** `serverless access-role test --stage qa --app billing`: the check for what was linked. */
saveLink.testCommand = (options) =>
  `serverless access-role test${options.stage ? ` --stage ${options.stage}` : ''}${options.app ? ` --app ${options.app}` : ''}`;

module.exports = saveLink;
