'use strict';
// The `[profile …]` sections `profiles --write` writes, for `profiles` and `doctor`'s comparison.

const path = require('node:path');
const { credentialProcessLine } = require('../native');

/**
 * The installed bin, by absolute path: the AWS SDKs run credential_process from any directory.
 * It runs through `process.execPath`, the node running now: a GUI app (an IDE, the AWS Toolkit)
 * starts tools with a PATH that may hold no node for the bin's `#!/usr/bin/env node`, and Windows
 * has no shebangs.
 */
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'serverless-access-roles.js');

/**
 * The `[profile …]` sections for a listing of `awsConfigProfiles`: each runs this bin, through
 * this node, for its app and stage. `doctor` compares them with the AWS config file.
 * @param {import('../../index').AwsConfigProfiles} listing
 */
function sectionsOf(listing) {
  return listing.profiles.map((profile) => ({
    name: profile.name,
    credentialProcess: credentialProcessLine({
      node: process.execPath,
      bin: BIN,
      app: profile.app,
      stage: profile.stage,
      configPath: listing.configPath,
    }),
    region: profile.region ?? undefined,
  }));
}

module.exports = sectionsOf;
