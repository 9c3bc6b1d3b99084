'use strict';
// The package's entry point: the Serverless plugin class (what `plugins: [serverless-access-roles]`
// loads) carrying the native API and the helpers as static members, so
// `require('serverless-access-roles')` serves both the framework and scripts.

const { describeProfile } = require('./lib/native');
const resolveCredentials = require('./lib/resolve-credentials');
const ServerlessAccessRoles = require('./lib/plugin');
const deployRoleTemplate = require('./lib/deploy-role-template');
const linkProfile = require('./lib/link-profile');
const { fromAccessRole } = require('./lib/sdk-v3-provider');

module.exports = ServerlessAccessRoles;
module.exports.resolveCredentials = resolveCredentials;
module.exports.describeProfile = describeProfile;
module.exports.fromAccessRole = fromAccessRole;
module.exports.deployRoleTemplate = deployRoleTemplate;
module.exports.linkProfile = linkProfile;
