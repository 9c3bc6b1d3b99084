'use strict';

const path = require('node:path');
const configSchema = require('./config-schema');
const userError = require('./user-error');

/** Environment variable that turns the plugin off for a command, e.g. in CI. */
const DISABLE_ENV = 'SERVERLESS_ACCESS_ROLES_DISABLE';

/** Each setting's JSON type, as the schema declares it: `{ app: 'string', required: 'boolean', … }`. */
const TYPES = Object.fromEntries(Object.entries(configSchema.properties).map(([name, { type }]) => [name, type]));

/** The variable sources that resolve before plugins initialize, so before AWS credentials exist. */
const EARLY_SOURCES = ['env', 'opt', 'self', 'file', 'sls'];
const EARLY_SOURCES_TEXT = `${EARLY_SOURCES.slice(0, -1).map((s) => `${s}:`).join(', ')} or ${EARLY_SOURCES.at(-1)}:`;

/** The plugin's own error for a variable still unresolved where it reads its settings. */
function unresolved(serverless, where, value) {
  const source = /\$\{\s*([A-Za-z0-9]+):/.exec(value);
  const kind = source && !EARLY_SOURCES.includes(source[1])
    ? `\${${source[1]}:…}, an AWS variable source, which needs the AWS credentials this plugin sets up`
    : 'a variable the framework had not resolved yet';
  return userError(
    serverless,
    `${where} is "${value}" when the plugin reads it: that is ${kind}. Use a plain value there, or ` +
      `${EARLY_SOURCES_TEXT} variables, which resolve before AWS credentials.`,
    'ACCESS_ROLES_UNRESOLVED_SETTING',
  );
}

/** `custom.accessRoles`, checked here because the framework validates its schema only later. */
function customSettings(serverless) {
  const custom = serverless.service.custom && serverless.service.custom.accessRoles;
  if (custom === undefined || custom === null) return {};
  if (typeof custom === 'string' && custom.includes('${')) throw unresolved(serverless, 'custom.accessRoles', custom);
  if (typeof custom !== 'object' || Array.isArray(custom)) {
    throw userError(serverless, 'custom.accessRoles must be a mapping of settings.', 'ACCESS_ROLES_INVALID_SETTING');
  }
  for (const [name, type] of Object.entries(TYPES)) {
    const value = custom[name];
    if (value === undefined) continue;
    // asyncInit runs before the AWS variable sources exist: they need the very keys we fetch.
    if (typeof value === 'string' && value.includes('${')) throw unresolved(serverless, `custom.accessRoles.${name}`, value);
    if (typeof value !== type || value === '') {
      throw userError(
        serverless,
        `custom.accessRoles.${name} must be a${type === 'string' ? ' non-empty string' : ' boolean'}.`,
        'ACCESS_ROLES_INVALID_SETTING',
      );
    }
  }
  return custom;
}

/** `1`, `true`, `yes`, `on` (any case) mean on; unset, empty, `0`, `false`, `no`, `off` mean off. */
const DISABLE_ON = /^(1|true|yes|on)$/i;
const DISABLE_OFF = /^(0|false|no|off)?$/i;

/** `--mfa-code`, checked for shape only: the native resolver says what a code must look like. */
function mfaCodeOption(serverless, options) {
  const code = options['mfa-code'];
  if (code === undefined || code === null) return undefined;
  if (typeof code !== 'string' || code.trim() === '') {
    throw userError(serverless, '--mfa-code needs a value: the current code of your MFA device.', 'ACCESS_ROLES_INVALID_SETTING');
  }
  return code.trim();
}

/**
 * What the plugin needs from the service and the command line, read when it runs (asyncInit or
 * a command), after the framework has resolved the variables it can.
 *
 * Lookup key: the `access-role` commands' `--app`, else `custom.accessRoles.app`, else a top-level `app` (Serverless v3 allows one; osls 4
 * rejects it), else the service name. The disk cache is off with `--no-cache` or
 * `custom.accessRoles.cache: false`. The keys go into the process environment unless
 * `custom.accessRoles.exportEnv: false`. `mfaCode` (from `--mfa-code`) is kept apart from
 * `resolveOptions`: a code is good for one STS call, so a refresh an hour later must not reuse it.
 *
 * @param {object} serverless the framework instance
 * @param {Record<string, unknown>} options the CLI options
 * @returns {{ app: string, appSource: string, stage: string, region: string, service: string,
 *   required: boolean, exportEnv: boolean, disabledBy: string | null, warnings: string[], mfaCode: string | undefined,
 *   resolveOptions: import('../../index').ResolveOptions }}
 */
function readSettings(serverless, options) {
  const custom = customSettings(serverless);
  const provider = serverless.getProvider('aws');
  const service = serverless.service.service;
  const serviceDir = serverless.serviceDir || (serverless.config && serverless.config.servicePath) || process.cwd();

  let app = service;
  let appSource = 'service';
  if (typeof options.app === 'string' && options.app) {
    // The `access-role` commands' --app: which app to test, show or link from this service.
    app = options.app;
    appSource = '--app';
  } else if (custom.app) {
    app = custom.app;
    appSource = 'custom.accessRoles.app';
  } else if (typeof serverless.service.app === 'string' && serverless.service.app) {
    app = serverless.service.app;
    appSource = 'app';
  }

  let disabledBy = null;
  if (custom.enabled === false) disabledBy = 'custom.accessRoles.enabled: false';
  else if (options['use-local-credentials']) disabledBy = '--use-local-credentials';
  const warnings = [];
  const disableEnv = (process.env[DISABLE_ENV] || '').trim();
  if (disabledBy === null && DISABLE_ON.test(disableEnv)) disabledBy = `${DISABLE_ENV}=${disableEnv}`;
  else if (!DISABLE_ON.test(disableEnv) && !DISABLE_OFF.test(disableEnv)) {
    warnings.push(`${DISABLE_ENV}="${disableEnv}" is not understood, so access roles stay on; use 1, true, yes or on to turn them off (0, false, no or off to keep them on).`);
  }

  const baseProfile = options['aws-profile'] || serverless.service.provider.profile;
  const resolveOptions = {
    cwd: serviceDir,
    region: provider.getRegion(),
    service,
    ...(custom.configPath && { configPath: path.resolve(serviceDir, custom.configPath) }),
    ...(baseProfile && { baseProfile }),
    ...((options.cache === false || custom.cache === false) && { cache: false }),
  };
  return {
    app,
    appSource,
    stage: provider.getStage(),
    region: resolveOptions.region,
    service,
    required: custom.required === true,
    warnings,
    exportEnv: custom.exportEnv !== false,
    disabledBy,
    mfaCode: mfaCodeOption(serverless, options),
    resolveOptions,
  };
}

module.exports = readSettings;
