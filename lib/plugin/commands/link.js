'use strict';

const assertIntendedProfile = require('../steps/assert-intended-profile');
const { planStoreEdit } = require('../steps/store-edit');
const saveLink = require('../steps/save-link');
const userError = require('../user-error');

/** Options that shape the stack `--create` deploys, meaningless without it. */
const CREATE_OPTIONS = ['stack-name', 'role-name', 'principal', 'dry-run', 'permissions-boundary', 'role-prefix'];

/**
 * `serverless access-role link --profile NAME --role-arn ARN [--app A] [--stage S]
 * [--external-id X] [--new-profile]`: writes the profile and maps the app (or one stage of it)
 * to it in the profile store, keeping the store's other content and comments, and creates the
 * store beside serverless.yml when there is none. With `--create`, deploys the role first
 * (./link-create).
 *
 * @param {import('..')} plugin
 */
async function runLink(plugin) {
  const { serverless, options, log } = plugin;
  // --create's modules (CloudFormation, the stack) load only when it is asked for.
  if (options.create) return require('./link-create')(plugin);
  const createOnly = CREATE_OPTIONS.filter((name) => options[name] !== undefined && options[name] !== false);
  if (createOnly.length > 0) {
    throw userError(
      serverless,
      `${createOnly.map((name) => `--${name}`).join(', ')} only work${createOnly.length === 1 ? 's' : ''} with --create, ` +
        'which deploys the role; add --create, or drop them to link an existing role with --role-arn.',
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  if (!options['role-arn']) {
    throw userError(
      serverless,
      'access-role link needs --role-arn ARN (the role to link), or --create to deploy a new role and link it.',
      'ACCESS_ROLES_MISSING_OPTION',
    );
  }
  const settings = plugin.settings();
  const link = {
    profile: options.profile,
    roleArn: options['role-arn'],
    externalId: options['external-id'],
    app: settings.app,
    stage: options.stage,
  };
  const plan = planStoreEdit(serverless, settings, link);
  assertIntendedProfile(serverless, link.profile, plan.profiles, options);
  saveLink(plugin, settings, link, plan);
  log.notice(`Check it with: ${saveLink.testCommand(options)}`);
  return undefined;
}

module.exports = runLink;
