'use strict';
// The package's entry point: the Serverless plugin class (what `plugins: [serverless-access-roles]`
// loads) carrying the native API as static members, so `require('serverless-access-roles')`
// serves both the framework and scripts.

const { resolveCredentials, describeProfile } = require('./binding.js');

/** Placeholder until the plugin lands: the framework loads it and it does nothing. */
class ServerlessAccessRoles {}

module.exports = ServerlessAccessRoles;
module.exports.resolveCredentials = resolveCredentials;
module.exports.describeProfile = describeProfile;
