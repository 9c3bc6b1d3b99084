'use strict';
// Nested sessions through the plugin: in serverless v3 and osls 4, a hook of a local plugin
// starts a child `serverless access-role test` of the same CLI in the same service, as hooks
// that run another stage's command or a `serverless invoke` do. The child inherits the
// environment the outer plugin exported (the role's keys and the session marker). moto with IAM
// enforced (./helpers/localaws.js); AssumeRole calls counted on the server (./helpers/sts-calls.js).

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs/promises');
const path = require('node:path');
const { createService, CLIS } = require('./helpers/serverless');
const { assumeRoleCount } = require('./helpers/sts-calls');
const { useLocalAwsAndHome } = require('./helpers/harness');

/**
 * A local plugin whose `nested` command runs `access-role test` of the same CLI for the stage
 * given by `--child-stage`, and prints the child's exit status and output, line by line.
 */
function nestedPlugin(cliBin) {
  return `'use strict';
const { spawnSync } = require('node:child_process');

class NestedPlugin {
  constructor(serverless, options, { writeText }) {
    this.commands = {
      nested: {
        usage: 'Runs access-role test of this CLI as a child process',
        lifecycleEvents: ['run'],
        options: { 'child-stage': { usage: 'Stage of the child command', type: 'string', required: true } },
      },
    };
    this.hooks = {
      'nested:run': () => {
        const child = spawnSync(process.execPath, [${JSON.stringify(cliBin)}, 'access-role', 'test', '--stage', options['child-stage']], { encoding: 'utf8' });
        writeText('child exit: ' + child.status);
        for (const line of (child.stdout + child.stderr).split('\\n')) writeText('child| ' + line);
      },
    };
  }
}
module.exports = NestedPlugin;
`;
}

let aws;
let home;
/** The profile store: stage qa of payments uses another role than its other stages. */
let store;

useLocalAwsAndHome(async (started) => {
  ({ aws, home } = started);
  store = [
    'profiles:',
    '  sandbox:',
    `    roleArn: ${aws.seed.roles.deploy}`,
    '  billing:',
    `    roleArn: ${aws.seed.roles.deployExternalId}`,
    `    externalId: ${aws.seed.externalId}`,
    'apps:',
    '  payments:',
    '    defaultProfile: sandbox',
    '    stages: { qa: billing }',
    '',
  ].join('\n');
});

/**
 * Runs `nested --stage dev --child-stage childStage` in a fresh service (its own disk cache)
 * for `cli`; returns the child's exit status and output, and the AssumeRole calls the whole run
 * made.
 */
async function runNested(cli, childStage) {
  const edit = (doc) => doc.get('plugins').add('./nested');
  const service = await createService(aws, cli, { home, edit, store });
  try {
    await fs.writeFile(path.join(service.dir, 'nested.js'), nestedPlugin(CLIS[cli].bin));
    const before = await assumeRoleCount(aws.endpoint);
    const result = await service.run(['nested', '--stage', 'dev', '--child-stage', childStage]);
    const stsCalls = (await assumeRoleCount(aws.endpoint)) - before;
    assert.equal(result.code, 0, `${service.label} nested exited ${result.code}:\n${result.output}`);
    for (const secret of [aws.seed.baseUser.secretAccessKey]) assert.ok(!result.output.includes(secret), 'secret printed');
    const status = result.stdout.match(/^child exit: (\S+)$/m);
    assert.ok(status, result.output);
    const childOutput = [...result.stdout.matchAll(/^child\| (.*)$/gm)].map((m) => m[1]).join('\n');
    return { status: status[1], childOutput, stsCalls, output: result.output };
  } finally {
    await service.remove();
  }
}

// Sequential: the AssumeRole count is the server's, and another test's outer plugin adds to it.
describe('a hook that starts the CLI again for the same stage runs inside the outer session', () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: the child's plugin answers the session's keys without STS and runs on the role`, async () => {
      const run = await runNested(cli, 'dev');
      assert.equal(run.status, '0', run.childOutput);
      assert.match(run.childOutput, /^Keys from: +the session in this environment/m);
      assert.match(run.childOutput, /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/m);
      assert.match(run.childOutput, /The framework uses the access role\./);
      assert.equal(run.stsCalls, 1, `only the outer plugin assumes the role:\n${run.output}`);
    });
  }
});

describe('a hook that starts the CLI again for a stage on another role', { concurrency: true }, () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: the child fails with the session error naming both roles`, async () => {
      const run = await runNested(cli, 'qa');
      assert.equal(run.status, '1', run.childOutput);
      // Neither CLI prints a ServerlessError's code (ACCESS_ROLES_SESSION_ROLE_MISMATCH): the
      // message is what the user sees, naming the session's role and the one asked for.
      const { deploy, deployExternalId } = aws.seed.roles;
      assert.ok(
        run.childOutput.includes(`Access roles: this command runs inside the access-role session of ${deploy} `) &&
          run.childOutput.includes(`and ${deployExternalId} is asked for`),
        run.childOutput,
      );
      assert.doesNotMatch(run.childOutput, /^Assumed identity/m);
    });
  }
});

// Sequential, as above: the AssumeRole count is the server's.
describe('the CLI run by exec --server: the plugin inside gets the role from the endpoint', () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: access-role test answers the endpoint's keys without STS of its own`, async () => {
      const service = await createService(aws, cli, { home, store });
      try {
        const before = await assumeRoleCount(aws.endpoint);
        const args = ['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', '--', process.execPath, CLIS[cli].bin, 'access-role', 'test', '--stage', 'dev'];
        const result = await service.runBin(args);
        const stsCalls = (await assumeRoleCount(aws.endpoint)) - before;
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, /^Keys from: +the session in this environment/m);
        assert.match(result.output, /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/m);
        assert.equal(stsCalls, 1, `only exec assumes the role:\n${result.output}`);
        assert.ok(!result.output.includes(aws.seed.baseUser.secretAccessKey), 'secret printed');
      } finally {
        await service.remove();
      }
    });
  }
});
