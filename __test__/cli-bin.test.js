'use strict';
// The bin itself: its usage text, --help and --version for every command, and one coded line
// (never a stack trace) when the platform package is missing. Real processes, no AWS needed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const os = require('node:os');
const path = require('node:path');
const { version } = require('../package.json');
const harness = require('./helpers/harness');

const COMMANDS = ['credential-process', 'profiles', 'cache', 'exec'];

/** Runs the bin with `args`; `env` on top of this process's. */
const runBin = (args, env = {}) => harness.runBin(args, { env: { ...process.env, ...env }, cwd: os.tmpdir(), timeout: 30_000 });

/** An addon path that does not exist: the bin acts as if the platform package were missing. */
const NO_ADDON = { NAPI_RS_NATIVE_LIBRARY_PATH: path.join(os.tmpdir(), 'no-such-addon.node') };

test('--help lists the commands and shows the credential_process line with --config and --aws-profile', async () => {
  const { status, stdout, stderr } = await runBin(['--help']);
  assert.equal(status, 0, stderr);
  for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command} +\\S`, 'm'));
  assert.match(stdout, /^ {2}credential_process = \S+serverless-access-roles credential-process --app \S+ --stage \S+ --config \/\S+ --aws-profile \S+$/m);
  const none = await runBin([]);
  assert.equal(none.status, 2);
  assert.equal(none.stderr, `serverless-access-roles: no command given\n\n${stdout}`);
});

test('every command answers --help with its own usage and --version with the version, without the addon', async () => {
  for (const command of COMMANDS) {
    const help = await runBin([command, '--help'], NO_ADDON);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^usage: serverless-access-roles ${command}`));
    const shown = await runBin([command, '--version'], NO_ADDON);
    assert.deepEqual([shown.status, shown.stdout, shown.stderr], [0, `serverless-access-roles ${version}\n`, '']);
  }
  const top = await runBin(['--version'], NO_ADDON);
  assert.equal(top.stdout, `serverless-access-roles ${version}\n`);
});

test('without its platform package, a command prints one line, E_NO_NATIVE_BINDING naming the package, and exits 1', async () => {
  const runs = [
    ['credential-process', '--app', 'payments', '--stage', 'dev', '--config', path.join(os.tmpdir(), 'access-roles.yml')],
    ['profiles'],
    ['cache', 'list'],
    ['exec', '--app', 'payments', '--stage', 'dev', '--', process.execPath, '--version'],
  ];
  for (const args of runs) {
    const { status, stdout, stderr } = await runBin(args, NO_ADDON);
    assert.equal(status, 1, `${args[0]}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, /^serverless-access-roles: E_NO_NATIVE_BINDING: no native addon for \S+ \S+ .*serverless-access-roles-[a-z0-9-]+ is not installed/);
    assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
  }
});
