'use strict';

const assertNoSecretsVariables = require('./assert-no-secrets-variables');
const assertSupportedFramework = require('./assert-supported-framework');
const commandName = require('./command-name');
const commandSettings = require('./command-settings');
const commandDefinitions = require('./commands/definitions');
const configSchema = require('./config-schema');
const createLog = require('./create-log');
const { nearStageWarning, resolvedLine } = require('../shared/describe-resolve');
const exportSession = require('../shared/export-session');
const installCredentials = require('./surfaces/install-credentials');
const resolveServiceCredentials = require('./resolve-service-credentials');

/** The plugin's commands that need no keys: they read or write the store, or print. */
const OFFLINE_COMMANDS = new Set(['access-role', 'access-role doctor', 'access-role show', 'access-role link', 'access-role template']);

/**
 * Framework commands that never call AWS: a missing profile must not block them (installing a
 * plugin, setting up credentials). Anything else, plugin commands included, may call AWS.
 */
const HOUSEKEEPING_COMMANDS = new Set([
  '', 'config', 'create', 'doctor', 'generate-event', 'install', 'login', 'logout', 'plugin',
  'slstats', 'support', 'uninstall', 'upgrade',
]);

/**
 * The Serverless Framework plugin: resolves the access role's keys in `asyncInit()`, installs
 * them where the framework reads credentials and into the process environment (for other
 * plugins' SDK clients and hooks' child processes), and adds the `access-role` commands.
 */
class ServerlessAccessRoles {
  /**
   * @param {object} serverless the framework instance
   * @param {Record<string, unknown>} options CLI options (the framework completes them later)
   * @param {{ log?: object, progress?: object, writeText?: Function }} [utils] v3 plugin utilities
   */
  constructor(serverless, options, utils) {
    assertSupportedFramework(serverless);
    this.serverless = serverless;
    this.options = options;
    this.log = createLog(utils);
    /** The keys in use, once asyncInit installed them. */
    this.credentials = null;
    /** Resolves them again from the base identity, once asyncInit installed them (lib/api/from-serverless.js). */
    this.refreshCredentials = null;

    if (serverless.configSchemaHandler && serverless.configSchemaHandler.defineCustomProperties) {
      serverless.configSchemaHandler.defineCustomProperties({ properties: { accessRoles: configSchema } });
    }
    this.commands = commandDefinitions(serverless);
    this.hooks = {
      // Each command's modules load when it runs, not with every `serverless deploy`.
      'access-role:test:run': () => require('./commands/test')(this),
      'access-role:show:run': () => require('./commands/show')(this),
      'access-role:doctor:run': () => require('./commands/doctor')(this),
      'access-role:link:run': () => require('./commands/link')(this),
      'access-role:template:run': () => require('./commands/template')(this),
    };
  }

  /** `access-role show`, `info`, …: the command as typed, without options. */
  commandName() {
    return commandName(this.serverless);
  }

  /** Settings as of now (./command-settings). */
  settings() {
    return commandSettings(this.serverless, this.options);
  }

  /**
   * Resolves the keys and installs them before the framework authenticates anything: the
   * framework awaits every plugin's asyncInit right after loading plugins, before the
   * `${ssm:}`/`${cf:}`/`${s3:}` variable sources exist (the moment the Dashboard plugin uses).
   */
  async asyncInit() {
    const { serverless, options, log } = this;
    if (serverless.service.provider.name !== 'aws') return;
    if (options.help || options['help-interactive']) return;
    assertNoSecretsVariables(serverless);
    const command = this.commandName();
    if (HOUSEKEEPING_COMMANDS.has(command.split(' ')[0])) return;
    // Read for the plugin's own commands too: an AWS variable in custom.accessRoles gets the
    // plugin's message here, before the framework tries it on its own credentials.
    const settings = this.settings();
    if (OFFLINE_COMMANDS.has(command)) return;
    for (const warning of settings.warnings) log.warning(warning);
    if (serverless.service.org && serverless.pluginManager.dashboardPlugin) {
      log.notice(
        `"org: ${serverless.service.org}" turns the Serverless Dashboard on, which asks you to log in ` +
          'and may supply its own provider credentials. serverless-access-roles needs neither: remove ' +
          '"org" (and "app"; set custom.accessRoles.app instead) to deploy on the access role alone.',
      );
    }
    if (settings.disabledBy) {
      log.notice(`Access roles off (${settings.disabledBy}): using the framework's own AWS credentials.`);
      return;
    }

    const mustHaveRole = settings.required || command === 'access-role test';
    const resolved = await resolveServiceCredentials(serverless, settings, { log, mustHaveRole });
    if (!resolved) return;
    const { credentials, resolveAgain } = resolved;
    let session = null;
    // Once the environment holds the role's keys, a refresh must read the one from before.
    const refreshCredentials = async () => {
      if (!session) return resolveAgain();
      const next = await resolveAgain({ baseEnvironment: session.baseEnvironment });
      session.update(next);
      return next;
    };
    const surfaces = installCredentials(serverless, credentials, refreshCredentials);
    if (settings.exportEnv) {
      session = exportSession(credentials);
      surfaces.push('process environment');
    }
    this.credentials = credentials;
    this.refreshCredentials = refreshCredentials;
    const nearStage = nearStageWarning(settings.app, settings.stage, credentials);
    if (nearStage) log.warning(`Access roles: ${nearStage}`);
    log.notice(`Access role: ${resolvedLine(settings.app, settings.stage, credentials, 'plugin')}`);
    log.debug(`assumed ${credentials.assumedRoleArn} (${credentials.source}); installed on ${surfaces.join(', ')}`);
    if (credentials.diskCacheOff) log.debug(`disk cache off: ${credentials.diskCacheOff}`);
    if (credentials.sessionIgnored) log.debug(credentials.sessionIgnored);
  }
}

module.exports = ServerlessAccessRoles;
