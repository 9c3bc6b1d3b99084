'use strict';
// Custom hooks in one call: the README's local plugin (examples/access-role-hook.js, run exactly
// as printed) and a plugin whose asyncInit runs before this plugin's get the access role's keys
// from `fromServerless(serverless, options)`, in serverless v3 and osls 4 against moto with IAM
// enforced (./helpers/localaws.js): the base user may only assume roles.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs/promises');
const path = require('node:path');
const { assumeRoleCount } = require('./helpers/sts-calls');
const { createService, runChecked, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

const ROOT = path.resolve(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples', 'access-role-hook.js');
const ROLE_SESSION = /arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+/;

/** A plugin listed before serverless-access-roles: its asyncInit runs before the plugin's has keys. */
const BEFORE_INIT_PLUGIN = `'use strict';
const { fromServerless } = require('serverless-access-roles');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');

class BeforeInit {
  constructor(serverless, options, { log }) {
    Object.assign(this, { serverless, options, log });
  }

  async asyncInit() {
    const credentials = fromServerless(this.serverless, this.options);
    const sts = new STSClient({ region: this.serverless.getProvider('aws').getRegion(), credentials });
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    this.log.notice('Before asyncInit: ' + Arn);
  }
}
module.exports = BeforeInit;
`;

let aws;
let home;

useLocalAwsAndHome((started) => ({ aws, home } = started));

test('the README prints examples/access-role-hook.js whole', async () => {
  const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes('```js\n' + (await fs.readFile(EXAMPLE, 'utf8')) + '```\n'), 'README.md does not show the example as it is');
});

test('fromServerless refuses anything but a framework instance, at once', () => {
  const { fromServerless } = require('..');
  for (const bad of [undefined, {}, { service: {} }, 'serverless']) {
    assert.throws(() => fromServerless(bad, {}), { name: 'TypeError', code: 'E_INVALID_ARGUMENT', message: /`serverless` must be the framework instance/ });
  }
});

/** The example service with the README's hook plugin and one whose asyncInit runs first. */
async function hookService(cli) {
  const edit = (doc) => {
    const plugins = doc.get('plugins');
    plugins.items.unshift(doc.createNode('./before-init'));
    plugins.add('./access-role-hook');
  };
  const service = await createService(aws, cli, { home, edit });
  await fs.copyFile(EXAMPLE, path.join(service.dir, 'access-role-hook.js'));
  await fs.writeFile(path.join(service.dir, 'before-init.js'), BEFORE_INIT_PLUGIN);
  // What the example's comment asks for: npm install @aws-sdk/client-sts.
  await fs.mkdir(path.join(service.dir, 'node_modules', '@aws-sdk'));
  await fs.symlink(path.dirname(require.resolve('@aws-sdk/client-sts/package.json')), path.join(service.dir, 'node_modules', '@aws-sdk', 'client-sts'), 'dir');
  return service;
}

// Sequential: the AssumeRole count is the server's.
describe('fromServerless in a local plugin', () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: before and after the plugin's asyncInit, on the role, with one AssumeRole`, async () => {
      const service = await hookService(cli);
      try {
        const calls = await assumeRoleCount(aws.endpoint, aws.seed.roles.deploy);
        const { output } = await runChecked(aws, service, ['package']);
        const hook = /^This hook runs as (\S+)$/m.exec(output);
        const early = /^Before asyncInit: (\S+)$/m.exec(output);
        assert.ok(hook && early, output);
        assert.match(hook[1], ROLE_SESSION);
        assert.match(early[1], ROLE_SESSION);
        assert.equal(await assumeRoleCount(aws.endpoint, aws.seed.roles.deploy), calls + 1, 'the plugin and both hooks share one AssumeRole');

        // Access roles off: the hooks are refused, never handed the base user's keys.
        const off = await runChecked(aws, service, ['package'], { ok: false, env: { SERVERLESS_ACCESS_ROLES_DISABLE: '1' } });
        assert.match(off.output, /Access roles are off for this command \(SERVERLESS_ACCESS_ROLES_DISABLE=1\)[^\n]* \(ACCESS_ROLES_DISABLED\)$/m);
        assert.doesNotMatch(off.output, /runs as|Before asyncInit:/);
      } finally {
        await service.remove();
      }
    });
  }
});
