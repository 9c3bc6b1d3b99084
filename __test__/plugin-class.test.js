'use strict';
// The plugin class with a stand-in framework and the real native resolver, in a directory with
// no profile store: what asyncInit decides before any AWS call.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ServerlessAccessRoles = require('..');
const { applyEnv } = require('./helpers/localaws');
const { FakeServerlessError } = require('./helpers/harness');


let root;
let savedEnv;

before(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-class-')));
  // HOME: no ~/.serverless/access-roles.yml either.
  savedEnv = applyEnv({ HOME: root, SERVERLESS_ACCESS_ROLES_CONFIG: undefined, SERVERLESS_ACCESS_ROLES_DISABLE: undefined });
});

after(() => {
  applyEnv(savedEnv);
  fs.rmSync(root, { recursive: true, force: true });
});

/** A framework running `command` in a service directory without a profile store. */
function setUp(command, { custom, options = {}, version = '3.40.0' } = {}) {
  const schemas = [];
  const notices = [];
  const provider = { getStage: () => 'dev', getRegion: () => 'us-east-1' };
  const serverless = {
    version,
    classes: { Error: FakeServerlessError },
    serviceDir: root,
    configurationInput: { service: 'payments' },
    processedInput: { commands: command ? command.split(' ') : [], options },
    service: { service: 'payments', custom, provider: { name: 'aws' } },
    getProvider: () => provider,
    pluginManager: { commands: {} },
    configSchemaHandler: { defineCustomProperties: (schema) => schemas.push(schema) },
  };
  const log = Object.assign((text) => notices.push(text), {
    notice: (text) => notices.push(text),
    info: () => {},
    warning: (text) => notices.push(`warning: ${text}`),
    debug: () => {},
  });
  const utils = { log, progress: { create: () => ({ remove() {} }) }, writeText: () => {} };
  const plugin = new ServerlessAccessRoles(serverless, options, utils);
  return { plugin, schemas, notices };
}

describe('constructor', () => {
  test('declares custom.accessRoles and the access-role commands with their hooks', () => {
    const { plugin, schemas } = setUp('info');
    assert.deepEqual(Object.keys(schemas[0].properties.accessRoles.properties).sort(), ['app', 'cache', 'configPath', 'enabled', 'exportEnv', 'required']);
    assert.deepEqual(Object.keys(plugin.hooks).sort(), [
      'access-role:doctor:run', 'access-role:link:run', 'access-role:show:run', 'access-role:template:run', 'access-role:test:run',
    ]);
  });

  test("is an instance of the exported class, as the frameworks' check for a plugin listed twice needs", () => {
    const { plugin } = setUp('info');
    assert.ok(plugin instanceof ServerlessAccessRoles);
    assert.ok(!({} instanceof ServerlessAccessRoles));
  });

  test("--app picks the store's app for the access-role commands only, not for the framework's (its Dashboard app)", () => {
    const custom = { accessRoles: { app: 'payments' } };
    assert.equal(setUp('deploy', { custom, options: { app: 'dashboard-app' } }).plugin.settings().app, 'payments');
    assert.equal(setUp('access-role show', { custom, options: { app: 'billing' } }).plugin.settings().app, 'billing');
  });

  test('refuses frameworks before 1.43.0', () => {
    assert.throws(() => setUp('info', { version: '1.40.0' }), { code: 'ACCESS_ROLES_UNSUPPORTED_FRAMEWORK' });
  });
});

describe('asyncInit', () => {
  test('no store: a warning naming required: true, and the framework\'s own credentials', async () => {
    const { plugin, notices } = setUp('info');
    await plugin.asyncInit();
    assert.equal(plugin.credentials, null);
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0], /^warning: Access roles: no profile store found; looked at:/);
    assert.match(notices[0], /Using the framework's own AWS credentials\. Set custom\.accessRoles\.required: true to make this an error instead\.$/);
  });

  for (const command of ['info', 'access-role show', 'access-role link']) {
    test(`"${command}": an AWS variable in custom.accessRoles gets the plugin's message`, async () => {
      const { plugin } = setUp(command, { custom: { accessRoles: { app: '${ssm:/payments/app}' } } });
      await assert.rejects(plugin.asyncInit(), (error) => {
        assert.equal(error.code, 'ACCESS_ROLES_UNRESOLVED_SETTING');
        assert.equal(
          error.message,
          'custom.accessRoles.app is "${ssm:/payments/app}" when the plugin reads it: that is ${ssm:…}, an AWS ' +
            'variable source, which needs the AWS credentials this plugin sets up. Use a plain value there, or ' +
            'env:, opt:, self:, file: or sls: variables, which resolve before AWS credentials. (ACCESS_ROLES_UNRESOLVED_SETTING)',
        );
        return true;
      });
    });
  }

  test('custom.accessRoles as a whole from an AWS variable gets the same message', async () => {
    const { plugin } = setUp('info', { custom: { accessRoles: '${cf:settings.AccessRoles}' } });
    await assert.rejects(plugin.asyncInit(), { code: 'ACCESS_ROLES_UNRESOLVED_SETTING', message: /^custom\.accessRoles is "\$\{cf:settings\.AccessRoles\}".*\$\{cf:…\}, an AWS variable source/ });
  });

  test('an unclear SERVERLESS_ACCESS_ROLES_DISABLE is a warning, and the role stays on', async () => {
    const saved = applyEnv({ SERVERLESS_ACCESS_ROLES_DISABLE: 'maybe' });
    try {
      const { plugin, notices } = setUp('info');
      await plugin.asyncInit();
      assert.match(notices[0], /^warning: SERVERLESS_ACCESS_ROLES_DISABLE="maybe" is not understood, so access roles stay on/);
      assert.match(notices[1], /^warning: Access roles: no profile store found/, 'it went on to resolve');
    } finally {
      applyEnv(saved);
    }
  });

  test('no store with required: true: the native error plus why and how to fix it', async () => {
    const { plugin } = setUp('deploy', { custom: { accessRoles: { required: true } } });
    await assert.rejects(plugin.asyncInit(), (error) => {
      assert.ok(error instanceof FakeServerlessError);
      assert.equal(error.code, 'ACCESS_ROLES_NO_PROFILE_STORE');
      assert.match(error.message, /^Access roles: no profile store found/);
      assert.match(error.message, /custom\.accessRoles\.required is true/);
      assert.match(error.message, /serverless access-role link --profile NAME --role-arn ARN/);
      return true;
    });
  });

  test('access-role test always needs a role', async () => {
    const { plugin } = setUp('access-role test');
    await assert.rejects(plugin.asyncInit(), { code: 'ACCESS_ROLES_NO_PROFILE_STORE' });
  });

  test('a configPath that does not exist is an error, not a fallback', async () => {
    const { plugin } = setUp('info', { custom: { accessRoles: { configPath: 'missing.yml' } } });
    await assert.rejects(plugin.asyncInit(), {
      code: 'ACCESS_ROLES_MISSING_STORE',
      message: /missing\.yml does not exist; .*; the store path is given with custom\.accessRoles\.configPath \(ACCESS_ROLES_MISSING_STORE\)$/s,
    });
  });

  for (const command of ['access-role doctor', 'access-role show', 'access-role link', 'access-role template', 'plugin install', 'config credentials', '']) {
    test(`"${command}" resolves nothing, even with required: true`, async () => {
      const { plugin, notices } = setUp(command, { custom: { accessRoles: { required: true } } });
      await plugin.asyncInit();
      assert.deepEqual(notices, []);
    });
  }

  test('--help resolves nothing', async () => {
    // The same command without --help needs a role and there is no store: it would fail.
    const { plugin: deploy } = setUp('deploy', { custom: { accessRoles: { required: true } } });
    await assert.rejects(deploy.asyncInit(), { code: 'ACCESS_ROLES_NO_PROFILE_STORE' });
    for (const help of ['help', 'help-interactive']) {
      const { plugin, notices } = setUp('deploy', { options: { [help]: true }, custom: { accessRoles: { required: true } } });
      await assert.doesNotReject(plugin.asyncInit(), help);
      assert.equal(plugin.credentials, null, `${help}: no keys installed`);
      assert.deepEqual(notices, [], `${help}: nothing said`);
    }
  });

  test('opted out: a notice, and no resolution even with required: true', async () => {
    const { plugin, notices } = setUp('deploy', {
      options: { 'use-local-credentials': true },
      custom: { accessRoles: { required: true } },
    });
    await plugin.asyncInit();
    assert.deepEqual(notices, ["Access roles off (--use-local-credentials): using the framework's own AWS credentials."]);
  });

  test('a ${secrets:…} variable fails even for commands that resolve nothing', async () => {
    const { plugin } = setUp('access-role show');
    plugin.serverless.configurationInput.provider = { credentials: '${secrets:prod}' };
    await assert.rejects(plugin.asyncInit(), { code: 'ACCESS_ROLES_SECRETS_VARIABLE' });
  });
});
