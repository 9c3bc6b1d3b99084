'use strict';

/**
 * JSON schema of `custom.accessRoles`, declared through `configSchemaHandler` so the framework
 * validates it and reports typos like any of its own settings.
 */
module.exports = {
  type: 'object',
  properties: {
    // The profile store's app key; defaults to a top-level `app`, else the service name.
    app: { type: 'string', minLength: 1 },
    // Fail instead of falling back to the framework's own credentials when no profile applies.
    required: { type: 'boolean' },
    // The profile store to read, relative to the service directory.
    configPath: { type: 'string', minLength: 1 },
    // `false` turns the plugin off for this service.
    enabled: { type: 'boolean' },
    // `false` assumes the role afresh for every command instead of reusing cached keys.
    cache: { type: 'boolean' },
    // `false` keeps the keys out of the process environment: only the framework's own client
    // uses the role, not other plugins' SDK clients or hooks' child processes.
    exportEnv: { type: 'boolean' },
  },
  additionalProperties: false,
};
