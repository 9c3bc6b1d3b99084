'use strict';

const path = require('node:path');
const userError = require('./user-error');

/** Environment variable that turns the plugin off for a command, e.g. in CI. */
const DISABLE_ENV = 'SERVERLESS_ACCESS_ROLES_DISABLE';

const TYPES = {
  app: 'string', configPath: 'string', required: 'boolean', enabled: 'boolean', cache: 'boolean', exportEnv: 'boolean',
};

/** `custom.accessRoles`, checked here because the framework validates its schema only later. */
function customSettings(serverless) {
  const custom = (serverless.service.custom && serverless.service.custom.accessRoles) || {};
  for (const [name, type] of Object.entries(TYPES)) {
    const value = custom[name];
    if (value === undefined) continue;
    if (typeof value === 'string' && value.includes('${')) {
      // asyncInit runs before the AWS variable sources exist: they need the very keys we fetch.
      throw userError(
        serverless,
        `custom.accessRoles.${name} is still "${value}" when the plugin needs it; use only ` +
          'env:, opt:, self:, file: or sls: variables there, which resolve before AWS credentials.',
        'ACCESS_ROLES_UNRESOLVED_SETTING',
      );
    }
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

/** `1`, `true`, `yes` (any case) mean on; unset, empty, `0`, `false` mean off. */
function isTruthyEnv(value) {
  return /^(1|true|yes)$/i.test((value || '').trim());
}

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
 *   required: boolean, exportEnv: boolean, disabledBy: string | null, mfaCode: string | undefined,
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
  else if (isTruthyEnv(process.env[DISABLE_ENV])) disabledBy = `${DISABLE_ENV}=${process.env[DISABLE_ENV]}`;

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
    exportEnv: custom.exportEnv !== false,
    disabledBy,
    mfaCode: mfaCodeOption(serverless, options),
    resolveOptions,
  };
}

readSettings.DISABLE_ENV = DISABLE_ENV;
module.exports = readSettings;
