'use strict';

const userError = require('./user-error');

/** The first framework release the plugin supports (issue 3). */
const MIN_FRAMEWORK_VERSION = '1.43.0';

/**
 * Fails on frameworks older than 1.43.0, naming the version found. Runs in the constructor,
 * because such frameworks may never call `asyncInit()`.
 *
 * @param {object} serverless the framework instance
 */
function assertSupportedFramework(serverless) {
  const version = serverless.version || (serverless.getVersion && serverless.getVersion());
  // Loaded here, not at the top: `require('serverless-access-roles')` in scripts stays fast.
  const semver = require('semver');
  const found = semver.coerce(version);
  if (found && semver.lt(found, MIN_FRAMEWORK_VERSION)) {
    throw userError(
      serverless,
      `serverless-access-roles needs Serverless Framework ${MIN_FRAMEWORK_VERSION} or later, ` +
        `but this is ${version}. Upgrade the framework, e.g. npm install --save-dev serverless@3.`,
      'ACCESS_ROLES_UNSUPPORTED_FRAMEWORK',
    );
  }
}

module.exports = assertSupportedFramework;
