'use strict';
// The package's entry point: the Serverless plugin class (what `plugins: [serverless-access-roles]`
// loads) carrying the API for scripts as static members. Nothing is loaded until it is used: the
// plugin's modules when the framework constructs the plugin, each API function on first access,
// and the native addon only when keys are needed (lib/native.js).

/**
 * The Serverless Framework plugin (lib/plugin/). This shell loads the real class on construction
 * and returns its instance, so `require('serverless-access-roles')` stays cheap for scripts.
 */
class ServerlessAccessRoles {
  constructor(...args) {
    const Plugin = require('./lib/plugin');
    return new Plugin(...args);
  }

  /**
   * The frameworks skip a plugin listed twice by `instanceof` the exported class: the real
   * class's instances must count as this one's.
   */
  static [Symbol.hasInstance](instance) {
    return instance instanceof require('./lib/plugin');
  }
}

/** What the package exports besides the plugin: name → loader of lib/api/ or lib/native.js. */
const API = {
  resolveCredentials: () => require('./lib/api/resolve-credentials'),
  describeProfile: () => require('./lib/native').describeProfile,
  fromAccessRole: () => require('./lib/api/from-access-role').fromAccessRole,
  fromServerless: () => require('./lib/api/from-serverless').fromServerless,
  deployRoleTemplate: () => require('./lib/api/deploy-role-template'),
  linkProfile: () => require('./lib/api/link-profile'),
};

for (const [name, loader] of Object.entries(API)) {
  Object.defineProperty(ServerlessAccessRoles, name, { enumerable: true, get: loader });
}

module.exports = ServerlessAccessRoles;
