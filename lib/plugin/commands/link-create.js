'use strict';

const assertIntendedProfile = require('../steps/assert-intended-profile');
const callerPrincipal = require('../steps/caller-principal');
const cloudFormationClient = require('../steps/cloudformation-client');
const deployRoleStack = require('../steps/role-stack');
const formatFields = require('../format-fields');
const resolveServiceCredentials = require('../resolve-service-credentials');
const roleInputs = require('../steps/role-inputs');
const boundaryInputs = require('../steps/boundary-inputs');
const roleTemplate = require('../steps/role-template');
const saveLink = require('../steps/save-link');
const sessionTrustNeeds = require('../session-trust-needs');
const userError = require('../user-error');
const { planStoreEdit, checkStoreText } = require('../steps/store-edit');

/** IAM takes a few seconds to let a new or changed role be assumed: tries, and the pause between. */
const ASSUME_TRIES = 6;
const ASSUME_PAUSE_MS = 5000;

/**
 * Assumes the linked role as the base identity that will deploy, as `access-role test` does,
 * retrying a denial for a moment after the stack changed (IAM is eventually consistent).
 */
async function assumeLinked(plugin, settings, fresh) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await resolveServiceCredentials(plugin.serverless, settings, { log: plugin.log, mustHaveRole: true })).credentials;
    } catch (error) {
      if (!fresh || attempt >= ASSUME_TRIES || error.code !== 'ACCESS_ROLES_ACCESS_DENIED') throw error;
      await new Promise((resolve) => setTimeout(resolve, ASSUME_PAUSE_MS));
    }
  }
}

/**
 * `serverless access-role link --create --profile NAME [--stage S] [--app A] [--stack-name N]
 * [--role-name N] [--principal ARN] [--external-id X] [--dry-run]`: deploys the access role
 * that `access-role template` describes as a CloudFormation stack, on the caller's own
 * credentials, links its `RoleArn` output as `access-role link --role-arn` would, and checks
 * the role can be assumed.
 *
 * In order, and nothing written until the stack is done:
 * 1. the options, the store edit and the external id and role name are checked (store rules),
 *    with a placeholder ARN; `--dry-run` prints stack, template and store change, and stops;
 * 2. the stack (default `serverless-access-role-<profile>`, role of the same name) is created,
 *    or updated when its template differs (./role-stack), its events shown as they come;
 * 3. the store is written with the role's ARN (./save-link);
 * 4. when the caller is the principal, the role is assumed as `access-role test` would, as the
 *    same identity that made the stack (the framework's, which `--aws-profile` names for both),
 *    and the assumed identity shown; else the principal is told to run `access-role test`.
 *    A failed check comes after the stack and the store were written: it is a warning that
 *    says so (exit 0), or with `--strict` an error that says so.
 *
 * @param {import('..')} plugin
 */
async function runLinkCreate(plugin) {
  const { serverless, options, log } = plugin;
  if (options['role-arn']) {
    throw userError(
      serverless,
      '--create deploys a new role and links its ARN, so it takes no --role-arn; drop one of them.',
      'ACCESS_ROLES_INVALID_OPTION',
    );
  }
  const settings = plugin.settings();
  const { principal: givenPrincipal, stackName, roleName } = roleInputs(serverless, options, { profile: options.profile });
  const boundary = boundaryInputs(serverless, options, settings, roleName);
  const link = {
    profile: options.profile,
    externalId: options['external-id'],
    app: settings.app,
    stage: options.stage,
  };
  const stage = link.stage || settings.stage;
  const check = { app: link.app, stage, resolveOptions: settings.resolveOptions };

  // 1. What the store will say, planned and checked once with a well-formed stand-in for the ARN
  //    the stack will output, so that the native reader checks everything else.
  const standInArn = `arn:aws:iam::000000000000:role/${roleName}`;
  const plan = planStoreEdit(serverless, settings, { ...link, roleArn: standInArn });
  assertIntendedProfile(serverless, link.profile, plan.profiles, options);
  const needs = sessionTrustNeeds.of(checkStoreText(serverless, plan.store, plan.text, { ...check, commit: false }));

  if (options['dry-run']) {
    const principalArn = givenPrincipal || needs.viaRoleArn || '<your AWS identity, asked when the stack is deployed>';
    const { body } = roleTemplate({ principalArn, externalId: link.externalId, roleName, needs, boundary });
    log.notice('Dry run: no AWS call, nothing deployed or written.');
    log.writeText(
      [
        formatFields([
          ['Stack', `${stackName} (region ${settings.region}), created or updated with CAPABILITY_NAMED_IAM`],
          ['Role', roleName],
          ['Trusts', principalArn],
          ['Profile store', `${plan.store.path} (${plan.store.exists ? 'updated' : 'created'})`],
        ]),
        ...plan.changes.map((line) => `  ${line.split(standInArn).join(`<RoleArn output of stack ${stackName}>`)}`),
        'Template:',
        body.trimEnd(),
      ].join('\n'),
    );
    return;
  }

  // 2. The stack, on the caller's own credentials.
  const client = await cloudFormationClient(serverless);
  const caller = await callerPrincipal(plugin);
  const principalArn = givenPrincipal || needs.viaRoleArn || caller.principal;
  const { template, body, extras } = roleTemplate({ principalArn, externalId: link.externalId, roleName, needs, boundary });
  if (extras.length > 0) log.notice(`The trust policy allows ${extras.join(' and ')}, as profile "${link.profile}" sends them.`);
  const { change, roleArn } = await deployRoleStack(serverless, client, {
    stackName,
    profile: link.profile,
    roleName,
    template,
    templateBody: body,
    log,
  });
  log.notice(`Stack ${stackName}: ${change === 'unchanged' ? 'no changes' : change}, role ${roleArn}, trusting ${principalArn}.`);

  // 3. The store, planned again: it may have changed while the stack was deployed.
  const full = { ...link, roleArn };
  saveLink(plugin, settings, full, planStoreEdit(serverless, settings, full));

  // 4. The check, as the identity that will deploy.
  const testCommand = saveLink.testCommand(options);
  if (principalArn !== caller.principal && !needs.viaRoleArn) {
    log.notice(`The role trusts ${principalArn}, not you (${caller.arn}): that identity checks it with ${testCommand}`);
    return;
  }
  let credentials;
  try {
    credentials = await assumeLinked(plugin, { ...settings, app: link.app, stage }, change !== 'unchanged');
  } catch (error) {
    const done = `Created or updated the stack ${stackName} and linked its role ${roleArn} as profile "${link.profile}"`;
    const failed = `but the check as ${caller.arn} failed.\n${error.message}`;
    const next = `Once fixed, ${caller.arn} (or whoever deploys) checks it with ${testCommand}`;
    if (!options.strict) {
      log.warning(`${done}, ${failed}\n${next}`);
      return;
    }
    throw userError(serverless, `${done}, ${failed}\n${next}`, error.code || 'ACCESS_ROLES_LINK_CHECK_FAILED');
  }
  log.writeText(
    formatFields([
      ['Profile', credentials.profile],
      ['Role', credentials.roleArn],
      ['Assumed identity', credentials.assumedRoleArn],
      ['Keys expire', credentials.expiration.toISOString()],
    ]),
  );
  log.notice(`The access role works. Later checks: ${testCommand}`);
}

module.exports = runLinkCreate;
