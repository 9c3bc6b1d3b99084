'use strict';
// The plugin's helpers on their own: no framework, no AWS.

const { describe, test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const YAML = require('yaml');
const assertIntendedProfile = require('../lib/plugin/steps/assert-intended-profile');
const assertSupportedFramework = require('../lib/plugin/assert-supported-framework');
const assertNoSecretsVariables = require('../lib/plugin/assert-no-secrets-variables');
const commandDefinitions = require('../lib/plugin/commands/definitions');
const deployRoleTemplate = require('../lib/api/deploy-role-template');
const { findProfileStore } = require('../lib/native');
const formatFields = require('../lib/plugin/format-fields');
const fromNativeError = require('../lib/plugin/from-native-error');
const linkProfile = require('../lib/api/link-profile');
const readSettings = require('../lib/plugin/read-settings');
const sessionTrustNeeds = require('../lib/plugin/session-trust-needs');
const { FakeServerlessError } = require('./helpers/harness');
const { roleNames, HELP: ROLE_NAME_HELP } = require('../lib/plugin/steps/role-names');
const { withHint } = require('../lib/shared/hint-words');


/** A framework instance with just what the helpers read. */
function fakeServerless({ version = '3.40.0', custom, app, configurationInput, profile, stage = 'dev' } = {}) {
  return {
    version,
    classes: { Error: FakeServerlessError },
    serviceDir: '/srv/payments',
    configurationInput,
    service: { service: 'payments', app, custom, provider: { name: 'aws', profile } },
    getProvider: () => ({ getStage: () => stage, getRegion: () => 'eu-west-1' }),
  };
}

describe('assertSupportedFramework', () => {
  test('rejects frameworks before 1.43.0, naming the version', () => {
    assert.throws(() => assertSupportedFramework(fakeServerless({ version: '1.42.1' })), {
      name: 'Error',
      code: 'ACCESS_ROLES_UNSUPPORTED_FRAMEWORK',
      message: /needs Serverless Framework 1\.43\.0 or later, but this is 1\.42\.1/,
    });
  });

  for (const version of ['1.43.0', '2.72.3', '3.40.0', '4.3.1']) {
    test(`accepts ${version}`, () => assertSupportedFramework(fakeServerless({ version })));
  }
});

describe('assertNoSecretsVariables', () => {
  test('names every path that uses ${secrets:…}', () => {
    const configurationInput = {
      provider: { credentials: '${secrets:aws-prod}', environment: { TOKEN: 'x-${secrets:token}' } },
      custom: { fine: '${ssm:/a}' },
    };
    assert.throws(() => assertNoSecretsVariables(fakeServerless({ configurationInput })), (error) => {
      assert.equal(error.code, 'ACCESS_ROLES_SECRETS_VARIABLE');
      assert.match(error.message, /^"provider\.credentials", "provider\.environment\.TOKEN" in serverless\.yml/);
      assert.match(error.message, /Delete that line, then link the role ARN to a profile/);
      return true;
    });
  });

  test('passes configurations without it', () => {
    assertNoSecretsVariables(fakeServerless({ configurationInput: { provider: { stage: '${opt:stage}' }, list: [1, null] } }));
  });
});

describe('assertIntendedProfile', () => {
  const existing = ['sandbox', 'production', 'qa'];

  test('refuses a new name that is a near miss of an existing profile, naming it', () => {
    for (const [typo, meant] of [['prodution', 'production'], ['sandbx', 'sandbox'], ['qb', 'qa']]) {
      assert.throws(() => assertIntendedProfile(fakeServerless(), typo, existing, {}), (error) => {
        assert.equal(error.code, 'ACCESS_ROLES_PROFILE_TYPO');
        assert.equal(
          error.message,
          `There is no profile "${typo}" in the store, but there is "${meant}": did you mean --profile ${meant}? ` +
            `To add "${typo}" as a new profile beside it, run the command again with --new-profile. (ACCESS_ROLES_PROFILE_TYPO)`,
        );
        return true;
      });
    }
  });

  test('lets existing names, distant names, short names two edits apart and --new-profile / --force through', () => {
    for (const name of ['sandbox', 'production', 'billing', 'ci', 'staging']) assertIntendedProfile(fakeServerless(), name, existing, {});
    assertIntendedProfile(fakeServerless(), 'sandbx', existing, { 'new-profile': true });
    assertIntendedProfile(fakeServerless(), 'sandbx', existing, { force: true });
  });
});

describe('fromNativeError', () => {
  test('maps E_* codes to ACCESS_ROLES_* user errors', () => {
    const error = fromNativeError(fakeServerless(), Object.assign(new Error('no profile'), { code: 'E_NO_PROFILE' }));
    assert.ok(error instanceof FakeServerlessError);
    assert.equal(error.code, 'ACCESS_ROLES_NO_PROFILE');
    assert.equal(error.message, 'Access roles: no profile (ACCESS_ROLES_NO_PROFILE)');
  });

  test('leaves other errors alone', () => {
    const bug = new TypeError('x is undefined');
    assert.equal(fromNativeError(fakeServerless(), bug), bug);
  });

  test('names the setting the error points at (error.hint) by the plugin\'s flags, the bin by its own', () => {
    const mfa = () => Object.assign(new Error('needs a code'), { code: 'E_MFA_REQUIRED', hint: 'mfaCode' });
    assert.equal(fromNativeError(fakeServerless(), mfa()).message, 'Access roles: needs a code; the MFA code is given with --mfa-code CODE (ACCESS_ROLES_MFA_REQUIRED)');
    const app = Object.assign(new Error('no profile'), { code: 'E_NO_PROFILE', hint: 'app' });
    assert.match(fromNativeError(fakeServerless(), app).message, /; the app is given with custom\.accessRoles\.app or --app APP \(ACCESS_ROLES_NO_PROFILE\)$/);
    const base = Object.assign(new Error('loop'), { code: 'E_CREDENTIAL_PROCESS_LOOP', hint: 'baseProfile' });
    assert.equal(withHint(base, 'cli'), 'loop; the base profile is given with --aws-profile NAME');
    assert.equal(withHint(base, 'plugin'), 'loop; the base profile is given with --aws-profile NAME or provider.profile');
    assert.equal(withHint(Object.assign(new Error('x'), { hint: '__proto__' }), 'cli'), 'x', 'an unknown hint adds nothing');
  });
});

describe('roleNames: the one table of the role\'s and stack\'s defaults', () => {
  test('the stack is named after the profile, the role after the stack; the template\'s stack after its role', () => {
    assert.deepEqual(roleNames({ profile: 'dev' }), { stackName: 'serverless-access-role-dev', roleName: 'serverless-access-role-dev' });
    assert.deepEqual(roleNames({ profile: 'dev', stackName: 'team' }), { stackName: 'team', roleName: 'team' });
    assert.deepEqual(roleNames({ profile: 'dev', roleName: 'team.ci' }), { stackName: 'serverless-access-role-dev', roleName: 'team.ci' });
    assert.deepEqual(roleNames({}), { stackName: 'serverless-deploy', roleName: 'serverless-deploy' });
    assert.deepEqual(roleNames({ roleName: 'team.ci' }), { stackName: 'team-ci', roleName: 'team.ci' });
    assert.equal(roleNames({ profile: 'x'.repeat(100) }).roleName.length, 64);
  });

  test('--help shows the same defaults', () => {
    const { link, template } = commandDefinitions(fakeServerless())['access-role'].commands;
    assert.match(link.options['stack-name'].usage, new RegExp(`\\(${ROLE_NAME_HELP.stackName}\\)`));
    assert.match(link.options['role-name'].usage, new RegExp(`\\(${ROLE_NAME_HELP.roleName}\\)`));
    assert.match(template.options['role-name'].usage, /\(default: serverless-deploy; the stack is named after it\)/);
  });
});

describe('readSettings', () => {
  const saved = process.env.SERVERLESS_ACCESS_ROLES_DISABLE;
  beforeEach(() => delete process.env.SERVERLESS_ACCESS_ROLES_DISABLE);
  afterEach(() => {
    if (saved === undefined) delete process.env.SERVERLESS_ACCESS_ROLES_DISABLE;
    else process.env.SERVERLESS_ACCESS_ROLES_DISABLE = saved;
  });

  test('app: custom.accessRoles.app, else top-level app, else the service name', () => {
    const appOf = (fields) => {
      const { app, appSource } = readSettings(fakeServerless(fields), {});
      return [app, appSource];
    };
    assert.deepEqual(appOf({ custom: { accessRoles: { app: 'a' } }, app: 'b' }), ['a', 'custom.accessRoles.app']);
    assert.deepEqual(appOf({ app: 'b' }), ['b', 'app']);
    assert.deepEqual(appOf({}), ['payments', 'service']);
  });

  test('stage and region from the provider; base profile from --aws-profile, else provider.profile', () => {
    const settings = readSettings(fakeServerless({ stage: 'prod', profile: 'from-yml' }), { 'aws-profile': 'from-cli' });
    assert.equal(settings.stage, 'prod');
    assert.deepEqual(settings.resolveOptions, { cwd: '/srv/payments', region: 'eu-west-1', service: 'payments', baseProfile: 'from-cli' });
    assert.equal(readSettings(fakeServerless({ profile: 'from-yml' }), {}).resolveOptions.baseProfile, 'from-yml');
  });

  test('configPath is taken relative to the service directory', () => {
    const settings = readSettings(fakeServerless({ custom: { accessRoles: { configPath: '../roles.yml' } } }), {});
    assert.equal(settings.resolveOptions.configPath, '/srv/roles.yml');
  });

  test('opting out: enabled false, --use-local-credentials, or the environment variable', () => {
    assert.equal(readSettings(fakeServerless(), {}).disabledBy, null);
    assert.equal(
      readSettings(fakeServerless({ custom: { accessRoles: { enabled: false } } }), {}).disabledBy,
      'custom.accessRoles.enabled: false',
    );
    assert.equal(readSettings(fakeServerless(), { 'use-local-credentials': true }).disabledBy, '--use-local-credentials');
    process.env.SERVERLESS_ACCESS_ROLES_DISABLE = '0';
    assert.equal(readSettings(fakeServerless(), {}).disabledBy, null);
    process.env.SERVERLESS_ACCESS_ROLES_DISABLE = 'true';
    assert.equal(readSettings(fakeServerless(), {}).disabledBy, 'SERVERLESS_ACCESS_ROLES_DISABLE=true');
    for (const on of ['1', 'yes', 'On', ' ON ']) {
      process.env.SERVERLESS_ACCESS_ROLES_DISABLE = on;
      assert.equal(readSettings(fakeServerless(), {}).disabledBy, `SERVERLESS_ACCESS_ROLES_DISABLE=${on.trim()}`);
      assert.deepEqual(readSettings(fakeServerless(), {}).warnings, []);
    }
    for (const off of ['', '0', 'no', 'OFF', 'false']) {
      process.env.SERVERLESS_ACCESS_ROLES_DISABLE = off;
      assert.equal(readSettings(fakeServerless(), {}).disabledBy, null);
      assert.deepEqual(readSettings(fakeServerless(), {}).warnings, []);
    }
    process.env.SERVERLESS_ACCESS_ROLES_DISABLE = 'maybe';
    const unclear = readSettings(fakeServerless(), {});
    assert.equal(unclear.disabledBy, null);
    assert.deepEqual(unclear.warnings, [
      'SERVERLESS_ACCESS_ROLES_DISABLE="maybe" is not understood, so access roles stay on; use 1, true, yes or on to turn them off (0, false, no or off to keep them on).',
    ]);
  });

  test('--no-cache or custom.accessRoles.cache: false turn the cache off; --mfa-code is kept apart', () => {
    assert.equal(readSettings(fakeServerless(), {}).resolveOptions.cache, undefined);
    assert.equal(readSettings(fakeServerless(), { cache: false }).resolveOptions.cache, false);
    assert.equal(readSettings(fakeServerless({ custom: { accessRoles: { cache: false } } }), {}).resolveOptions.cache, false);
    assert.equal(readSettings(fakeServerless({ custom: { accessRoles: { cache: true } } }), {}).resolveOptions.cache, undefined);
    const settings = readSettings(fakeServerless(), { 'mfa-code': ' 123456 ' });
    assert.equal(settings.mfaCode, '123456');
    assert.equal(settings.resolveOptions.mfaCode, undefined, 'a refresh must not reuse a spent code');
    assert.throws(() => readSettings(fakeServerless(), { 'mfa-code': '' }), { code: 'ACCESS_ROLES_INVALID_SETTING' });
    assert.throws(() => readSettings(fakeServerless({ custom: { accessRoles: { cache: 'no' } } }), {}), {
      message: 'custom.accessRoles.cache must be a boolean. (ACCESS_ROLES_INVALID_SETTING)',
    });
  });

  test('rejects settings still unresolved or of the wrong type', () => {
    assert.throws(() => readSettings(fakeServerless({ custom: { accessRoles: { app: '${ssm:/app}' } } }), {}), {
      code: 'ACCESS_ROLES_UNRESOLVED_SETTING',
    });
    assert.throws(() => readSettings(fakeServerless({ custom: { accessRoles: { required: 'yes' } } }), {}), {
      code: 'ACCESS_ROLES_INVALID_SETTING',
      message: 'custom.accessRoles.required must be a boolean. (ACCESS_ROLES_INVALID_SETTING)',
    });
  });
});

describe('commandDefinitions', () => {
  test('declares --use-local-credentials, --cache and --mfa-code only on loaded AWS commands that lack them', () => {
    const commands = {
      info: { options: {} },
      deploy: { options: { 'use-local-credentials': {} }, commands: { function: { options: {} } } },
      print: {},
    };
    const definitions = commandDefinitions({ pluginManager: { commands } });
    assert.deepEqual(Object.keys(definitions).sort(), ['access-role', 'deploy', 'info', 'print']);
    assert.equal(definitions.info.options['use-local-credentials'].type, 'boolean');
    assert.equal(definitions.info.options.cache.type, 'boolean', '--no-cache parses as cache: false');
    assert.equal(definitions.info.options['mfa-code'].type, 'string');
    assert.deepEqual(Object.keys(definitions.deploy.options).sort(), ['cache', 'mfa-code'], 'deploy has the other one');
    assert.ok(definitions.deploy.commands.function.options['use-local-credentials']);
    assert.deepEqual(Object.keys(definitions['access-role'].commands.test.options).sort(), ['app', 'cache', 'mfa-code']);
    assert.deepEqual(Object.keys(definitions['access-role'].commands), ['test', 'doctor', 'show', 'link', 'template']);
    for (const command of Object.values(definitions['access-role'].commands)) {
      assert.deepEqual(command.lifecycleEvents, ['run']);
      for (const option of Object.values(command.options || {})) assert.ok(option.type, 'osls demands a type');
    }
  });
});

describe('linkProfile', () => {
  const store = [
    '# Profiles of acme',
    'org: acme # informational',
    'profiles:',
    '  sandbox:',
    '    roleArn: arn:aws:iam::111111111111:role/a # the sandbox role',
    'apps:',
    '  payments:',
    '    defaultProfile: sandbox',
    '',
  ].join('\n');

  test('adds profile and stage mapping, keeping comments and other content', () => {
    const text = linkProfile(store, {
      profile: 'prod', roleArn: 'arn:aws:iam::222222222222:role/b', externalId: 'x-1', app: 'payments', stage: 'prod',
    });
    for (const line of ['# Profiles of acme', 'org: acme # informational', 'roleArn: arn:aws:iam::111111111111:role/a # the sandbox role']) {
      assert.ok(text.includes(line), `lost: ${line}\n${text}`);
    }
    assert.deepEqual(YAML.parse(text), {
      org: 'acme',
      profiles: {
        sandbox: { roleArn: 'arn:aws:iam::111111111111:role/a' },
        prod: { roleArn: 'arn:aws:iam::222222222222:role/b', externalId: 'x-1' },
      },
      apps: { payments: { defaultProfile: 'sandbox', stages: { prod: 'prod' } } },
    });
  });

  test('without a stage, sets the app default; an existing profile gets the new role', () => {
    const text = linkProfile(store, { profile: 'sandbox', roleArn: 'arn:aws:iam::111111111111:role/c', app: 'billing' });
    const parsed = YAML.parse(text);
    assert.equal(parsed.profiles.sandbox.roleArn, 'arn:aws:iam::111111111111:role/c');
    assert.deepEqual(parsed.apps.billing, { defaultProfile: 'sandbox' });
  });

  test('starts a new store with a header comment', () => {
    const text = linkProfile('', { profile: 'p', roleArn: 'arn:aws:iam::111111111111:role/a', app: 'svc' });
    assert.match(text, /^# Deployment profiles for serverless-access-roles/);
    assert.deepEqual(YAML.parse(text), { profiles: { p: { roleArn: 'arn:aws:iam::111111111111:role/a' } }, apps: { svc: { defaultProfile: 'p' } } });
  });

  test('rewrites a JSON store as JSON', () => {
    const text = linkProfile('{"defaultProfile": "p", "profiles": {}}', { profile: 'p', roleArn: 'r', app: 'svc', stage: 'dev', json: true });
    assert.deepEqual(JSON.parse(text), { defaultProfile: 'p', profiles: { p: { roleArn: 'r' } }, apps: { svc: { stages: { dev: 'p' } } } });
  });

  test('writes names such as __proto__ as plain keys of a JSON store, polluting no object', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const text = linkProfile('{"profiles": {}}', { profile: name, roleArn: 'r', app: name, stage: name, json: true });
      assert.equal({}.roleArn, undefined, name);
      assert.equal({}[name === '__proto__' ? 'stages' : 'x'], undefined, name);
      assert.equal(Object.prototype.roleArn, undefined);
      assert.match(text, new RegExp(`"profiles": \\{\\s+"${name}": \\{\\s+"roleArn": "r"`), `the edit is kept: ${text}`);
      assert.match(text, new RegExp(`"apps": \\{\\s+"${name}": \\{\\s+"stages": \\{\\s+"${name}": "${name}"`));
    }
    const fresh = linkProfile('', { profile: '__proto__', roleArn: 'r', app: 'a', json: true });
    assert.equal({}.roleArn, undefined);
    assert.match(fresh, /"__proto__": \{\s+"roleArn": "r"/);
  });

  test('refuses text that is not YAML, naming the place', () => {
    assert.throws(() => linkProfile('profiles: [\n', { profile: 'p', roleArn: 'r', app: 'a' }), /line \d+, column \d+/);
  });
});

describe('findProfileStore', () => {
  /** The answer without `searched`, which the next test looks at. */
  const locateStore = (options) => {
    const { path: found, exists } = findProfileStore(options);
    return { path: found, exists };
  };

  let root;
  const savedHome = process.env.HOME;
  const savedConfig = process.env.SERVERLESS_ACCESS_ROLES_CONFIG;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'find-store-')));
    fs.mkdirSync(path.join(root, 'home', '.serverless'), { recursive: true });
    fs.mkdirSync(path.join(root, 'repo', 'service'), { recursive: true });
    process.env.HOME = path.join(root, 'home');
    delete process.env.SERVERLESS_ACCESS_ROLES_CONFIG;
  });
  afterEach(() => {
    process.env.HOME = savedHome;
    if (savedConfig === undefined) delete process.env.SERVERLESS_ACCESS_ROLES_CONFIG;
    else process.env.SERVERLESS_ACCESS_ROLES_CONFIG = savedConfig;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('finds the nearest store upward, then the home one, else proposes one beside the service', () => {
    const cwd = path.join(root, 'repo', 'service');
    assert.deepEqual(locateStore({ cwd }), { path: path.join(cwd, 'access-roles.yml'), exists: false });
    fs.writeFileSync(path.join(root, 'home', '.serverless', 'access-roles.yml'), '');
    assert.deepEqual(locateStore({ cwd }), { path: path.join(root, 'home', '.serverless', 'access-roles.yml'), exists: true });
    fs.writeFileSync(path.join(root, 'repo', 'access-roles.json'), '{}');
    assert.deepEqual(locateStore({ cwd }), { path: path.join(root, 'repo', 'access-roles.json'), exists: true });
  });

  test('an explicit path wins, from options or the environment, existing or not', () => {
    const cwd = path.join(root, 'repo', 'service');
    fs.writeFileSync(path.join(root, 'repo', 'access-roles.yml'), '');
    process.env.SERVERLESS_ACCESS_ROLES_CONFIG = '../env.yml';
    assert.deepEqual(locateStore({ cwd }), { path: path.join(root, 'repo', 'env.yml'), exists: false });
    assert.deepEqual(locateStore({ cwd, configPath: path.join(root, 'x.yml') }), { path: path.join(root, 'x.yml'), exists: false });
  });

  test('lists every place it looked, in order, up to the store found', () => {
    const cwd = path.join(root, 'repo', 'service');
    const { searched } = findProfileStore({ cwd });
    assert.deepEqual(searched.slice(0, 3), [
      path.join(cwd, 'access-roles.yml'),
      path.join(cwd, 'access-roles.json'),
      path.join(root, 'repo', 'access-roles.yml'),
    ]);
    assert.equal(searched[searched.length - 1], path.join(root, 'home', '.serverless', 'access-roles.yml'));
    fs.writeFileSync(path.join(root, 'repo', 'access-roles.yml'), '');
    assert.deepEqual(findProfileStore({ cwd }).searched, searched.slice(0, 3));
  });
});

describe('deployRoleTemplate', () => {
  test('trusts the principal, with an ExternalId condition only when given', () => {
    const plain = deployRoleTemplate({ principalArn: 'arn:aws:iam::1:user/u' });
    const role = plain.Resources.DeployRole.Properties;
    assert.equal(role.RoleName, 'serverless-deploy');
    assert.deepEqual(role.AssumeRolePolicyDocument.Statement, [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:user/u' }, Action: 'sts:AssumeRole' },
    ]);
    const actions = role.Policies[0].PolicyDocument.Statement.flatMap((s) => s.Action);
    for (const needed of ['cloudformation:*', 'sts:GetCallerIdentity', 'iam:PassRole', 'lambda:*']) {
      assert.ok(actions.includes(needed), needed);
    }
    assert.deepEqual(plain.Outputs.RoleArn.Value, { 'Fn::GetAtt': ['DeployRole', 'Arn'] });

    const withId = deployRoleTemplate({ principalArn: 'arn:aws:iam::1:user/u', externalId: 'e', roleName: 'r' });
    assert.equal(withId.Resources.DeployRole.Properties.RoleName, 'r');
    assert.deepEqual(withId.Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition, {
      StringEquals: { 'sts:ExternalId': 'e' },
    });
  });
});

describe('deployRoleTemplate trust actions', () => {
  const trustOf = (options) =>
    deployRoleTemplate({ principalArn: 'arn:aws:iam::1:user/u', ...options }).Resources.DeployRole.Properties
      .AssumeRolePolicyDocument.Statement[0];

  test('adds sts:TagSession for session tags and sts:SetSourceIdentity for a source identity', () => {
    assert.equal(trustOf({}).Action, 'sts:AssumeRole');
    assert.deepEqual(trustOf({ tagSession: true }).Action, ['sts:AssumeRole', 'sts:TagSession']);
    assert.deepEqual(trustOf({ setSourceIdentity: true }).Action, ['sts:AssumeRole', 'sts:SetSourceIdentity']);
    const both = trustOf({ tagSession: true, setSourceIdentity: true, externalId: 'e' });
    assert.deepEqual(both.Action, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
    assert.deepEqual(both.Condition, { StringEquals: { 'sts:ExternalId': 'e' } });
  });
});

describe('sessionTrustNeeds', () => {
  let dir;
  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-needs-')));
    fs.writeFileSync(
      path.join(dir, 'access-roles.yml'),
      [
        'profiles:',
        '  plain: { roleArn: "arn:aws:iam::123456789012:role/a" }',
        '  tagged: { roleArn: "arn:aws:iam::123456789012:role/a", sessionTags: { team: pay } }',
        '  transitive: { roleArn: "arn:aws:iam::123456789012:role/a", sessionTags: { t: x }, transitiveTagKeys: [t] }',
        '  identified: { roleArn: "arn:aws:iam::123456789012:role/a", sourceIdentity: "{user}" }',
        '  hub: { roleArn: "arn:aws:iam::123456789012:role/hub" }',
        '  chained: { roleArn: "arn:aws:iam::123456789012:role/a", via: hub }',
        'apps:',
        '  payments:',
        '    stages: { plain: plain, tagged: tagged, transitive: transitive, identified: identified, chained: chained }',
        '',
      ].join('\n'),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const needsFor = (stage, app = 'payments') =>
    sessionTrustNeeds(fakeServerless(), { app, stage, resolveOptions: { cwd: dir } });

  test('reads the chosen profile: tags, transitive tags, source identity, the role before it, or none', () => {
    const none = { tagSession: false, setSourceIdentity: false, viaRoleArn: undefined };
    assert.deepEqual(needsFor('plain'), { ...none, profile: 'plain' });
    assert.deepEqual(needsFor('tagged'), { ...none, profile: 'tagged', tagSession: true });
    assert.deepEqual(needsFor('transitive'), { ...none, profile: 'transitive', tagSession: true });
    assert.deepEqual(needsFor('identified'), { ...none, profile: 'identified', setSourceIdentity: true });
    assert.deepEqual(needsFor('chained'), { ...none, profile: 'chained', viaRoleArn: 'arn:aws:iam::123456789012:role/hub' });
  });

  test('no profile yet is no need; a broken store is the native error', () => {
    assert.deepEqual(needsFor('dev', 'billing'), { tagSession: false, setSourceIdentity: false });
    const broken = fs.mkdtempSync(path.join(dir, 'broken-'));
    fs.writeFileSync(path.join(broken, 'access-roles.yml'), 'profiles: [\n');
    assert.throws(() => sessionTrustNeeds(fakeServerless(), { app: 'payments', stage: 'dev', resolveOptions: { cwd: broken } }), {
      code: 'ACCESS_ROLES_INVALID_CONFIG',
    });
  });
});

describe('formatFields', () => {
  test('aligns labels and drops undefined values', () => {
    assert.equal(formatFields([['A', 1], ['Longer', 'x'], ['Gone', undefined]]), 'A:      1\nLonger: x');
  });
});
