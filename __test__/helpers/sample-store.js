'use strict';
// The sample profile store several suites resolve against: a role that trusts the seed's base
// user and one that trusts someone else (see scripts/localaws/seed_iam.py).

const fs = require('node:fs');
const path = require('node:path');

/**
 * Writes `access-roles.yml` in `dir` and answers its path: profile `sandbox` (the seed's deploy
 * role) and `someone-else` (a role the base user may not assume), and app `payments` with stage
 * `dev` on `sandbox`, `denied` on `someone-else`, and `extraStages` (stage → profile) besides.
 *
 * @param {string} dir
 * @param {{ roles: { deploy: string, denied: string } }} seed startLocalAws's `seed`
 * @param {Record<string, string>} [extraStages]
 * @returns {string}
 */
function writeSampleStore(dir, seed, extraStages = {}) {
  const stages = { dev: 'sandbox', denied: 'someone-else', ...extraStages };
  const file = path.join(dir, 'access-roles.yml');
  fs.writeFileSync(
    file,
    [
      'profiles:',
      '  sandbox:',
      `    roleArn: ${seed.roles.deploy}`,
      '  someone-else:',
      `    roleArn: ${seed.roles.denied}`,
      'apps:',
      '  payments:',
      '    stages:',
      ...Object.entries(stages).map(([stage, profile]) => `      ${stage}: ${profile}`),
      '',
    ].join('\n'),
  );
  return file;
}

module.exports = { writeSampleStore };
