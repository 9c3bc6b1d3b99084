'use strict';
// The whole command runs on the role: in serverless v3 and osls 4, another plugin that builds
// its own SDK v3 client from the default credential chain, and a hook that runs the aws CLI as a
// child process, both ask STS who they are. moto with IAM enforced (./helpers/localaws.js).

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs/promises');
const path = require('node:path');
const { createService, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

const AWS_CLI = path.resolve(__dirname, '..', '.venv', 'bin', 'aws');
const ROLE_SESSION = /arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+/;

/** A local plugin as many in-house ones are: its own client, and a hook running `aws`. */
const OWN_CLIENT_PLUGIN = `'use strict';
const { execFileSync } = require('node:child_process');
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-sts'))});

class OwnClientPlugin {
  constructor(serverless, options, { writeText }) {
    this.commands = { whoami: { usage: 'Who this plugin and its hook run as', lifecycleEvents: ['run'] } };
    this.hooks = {
      'whoami:run': async () => {
        const own = await new STSClient({}).send(new GetCallerIdentityCommand({}));
        writeText('own SDK v3 client: ' + own.Arn);
        const hook = execFileSync(${JSON.stringify(AWS_CLI)}, ['sts', 'get-caller-identity', '--output', 'json'], { encoding: 'utf8' });
        writeText("hook's aws CLI: " + JSON.parse(hook).Arn);
      },
    };
  }
}
module.exports = OwnClientPlugin;
`;

let aws;
let home;

useLocalAwsAndHome((started) => ({ aws, home } = started));

/** Runs `whoami` in a service with the local plugin; `exportEnv` as given. */
async function whoami(cli, exportEnv) {
  const edit = (doc) => {
    doc.get('plugins').add('./own-client');
    if (exportEnv !== undefined) doc.setIn(['custom', 'accessRoles', 'exportEnv'], exportEnv);
  };
  const service = await createService(aws, cli, { home, edit });
  try {
    await fs.writeFile(path.join(service.dir, 'own-client.js'), OWN_CLIENT_PLUGIN);
    const result = await service.run(['whoami']);
    assert.equal(result.code, 0, `${service.label} whoami exited ${result.code}:\n${result.output}`);
    assert.ok(!result.output.includes(aws.seed.baseUser.secretAccessKey), 'base secret printed');
    const own = result.stdout.match(/^own SDK v3 client: (\S+)$/m);
    const hook = result.stdout.match(/^hook's aws CLI: (\S+)$/m);
    assert.ok(own && hook, result.output);
    return { own: own[1], hook: hook[1] };
  } finally {
    await service.remove();
  }
}

describe('other plugins and hooks run on the role', { concurrency: true }, () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: another plugin's SDK client and a hook's aws CLI report the assumed role`, async () => {
      const { own, hook } = await whoami(cli);
      assert.match(own, ROLE_SESSION);
      assert.match(hook, ROLE_SESSION);
    });

    test(`${CLIS[cli].label}: with exportEnv: false both report the base user`, async () => {
      const { own, hook } = await whoami(cli, false);
      assert.equal(own, aws.seed.baseUser.arn);
      assert.equal(hook, aws.seed.baseUser.arn);
    });
  }
});
