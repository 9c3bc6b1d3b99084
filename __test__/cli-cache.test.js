'use strict';
// `serverless-access-roles cache list | clear` as a person runs them, on a cache that the bin's
// own credential-process filled against moto with IAM enforced.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('./helpers/harness');

let aws;
let dir;
let storePath;
let cacheDir;

harness.useLocalAwsAndDir('sar-cache-cli-', (started) => {
  ({ aws, dir } = started);
  storePath = path.join(dir, 'access-roles.yml');
  fs.writeFileSync(
    storePath,
    `profiles:\n  sandbox:\n    roleArn: ${aws.seed.roles.deploy}\napps:\n  payments:\n    defaultProfile: sandbox\n`,
  );
  cacheDir = path.join(dir, 'cache');
});

/** Runs the bin with `args` as the base user, on the test's cache directory. */
function runBin(args) {
  return runBinWith(args, {});
}

const keysFor = async (stage) => {
  const { status, stdout, stderr } = await runBin(['credential-process', '--app', 'payments', '--stage', stage, '--config', storePath]);
  assert.equal(status, 0, stderr);
  return JSON.parse(stdout);
};

test('cache list shows what is cached without a secret, and removes expired entries and their locks', async () => {
  const dev = await keysFor('dev');
  await keysFor('prod');
  // An entry that expired an hour ago, as an old run would have left it, with its lock.
  const [file] = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json'));
  const stale = JSON.parse(fs.readFileSync(path.join(cacheDir, file), 'utf8'));
  const expiredKey = 'e'.repeat(64);
  const expired = { ...stale, key: expiredKey, expirationMs: Date.now() - 3600e3 };
  fs.writeFileSync(path.join(cacheDir, `${expiredKey}.json`), JSON.stringify(expired), { mode: 0o600 });
  fs.writeFileSync(path.join(cacheDir, `${expiredKey}.lock`), '', { mode: 0o600 });

  const { status, stdout, stderr } = await runBin(['cache', 'list']);
  assert.equal(status, 0, stderr);
  assert.match(stdout, new RegExp(`^Cached keys in ${cacheDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`));
  for (const stage of ['dev', 'prod']) {
    assert.match(stdout, new RegExp(`\\npayments/${stage}\\n  Profile:     sandbox\\n  Role:        ${aws.seed.roles.deploy}\\n  Session:     arn:aws:sts::123456789012:assumed-role/serverless-deploy/.+-payments-${stage}\\n  Region:      us-east-1\\n  Keys expire: \\S+Z \\(in (59|60) min\\)`));
  }
  assert.equal((stdout.match(/Keys expire/g) || []).length, 2, 'the expired entry is not listed');
  for (const secret of [dev.SecretAccessKey, dev.SessionToken, dev.AccessKeyId]) assert.ok(!stdout.includes(secret));
  const left = fs.readdirSync(cacheDir);
  assert.ok(!left.includes(`${expiredKey}.json`) && !left.includes(`${expiredKey}.lock`), left.join(' '));
});

test('cache clear --app --stage removes only those keys; the next run assumes the role again', async () => {
  const before = await keysFor('dev');
  const prod = await keysFor('prod');
  const cleared = await runBin(['cache', 'clear', '--app', 'payments', '--stage', 'dev']);
  assert.equal(cleared.status, 0, cleared.stderr);
  assert.equal(cleared.stdout, 'Removed 1 cached key for app payments, stage dev.\n');
  assert.notEqual((await keysFor('dev')).AccessKeyId, before.AccessKeyId, 'dev assumed afresh');
  assert.equal((await keysFor('prod')).AccessKeyId, prod.AccessKeyId, 'prod still cached');

  const all = await runBin(['cache', 'clear']);
  assert.equal(all.stdout, 'Removed 2 cached keys.\n');
  assert.equal((await runBin(['cache', 'list'])).stdout, `No cached keys in ${cacheDir}.\n`);
});

test('cache without list or clear, or with --app on list, is a usage error', async () => {
  for (const args of [['cache'], ['cache', 'show'], ['cache', 'list', '--app', 'payments'], ['cache', 'clear', 'extra']]) {
    const { status, stderr } = await runBin(args);
    assert.equal(status, 2, args.join(' '));
    assert.match(stderr, /\n\nusage: serverless-access-roles cache list/);
  }
});

/** Runs the bin with `args` and the variables `extra` over the test's. */
function runBinWith(args, extra, cwd = dir) {
  return harness.runBin(args, { env: harness.userEnv(aws, dir, { SERVERLESS_ACCESS_ROLES_CACHE_DIR: cacheDir, ...extra }), cwd });
}

test("cache list and clear leave other programs' lock files alone, in a private directory and a project one", async () => {
  for (const mode of [0o700, 0o755]) {
    const project = fs.mkdtempSync(path.join(dir, 'proj-'));
    fs.chmodSync(project, mode);
    const foreign = { 'yarn.lock': 'x\n', 'Cargo.lock': 'y\n', 'notes.json': '{}\n', [`${'A'.repeat(64)}.lock`]: 'z\n' };
    for (const [name, text] of Object.entries(foreign)) fs.writeFileSync(path.join(project, name), text);
    for (const action of ['list', 'clear']) {
      const { status, stderr } = await runBinWith(['cache', action, '--cache-dir', '.'], {}, project);
      assert.equal(status, 0, stderr);
    }
    for (const [name, text] of Object.entries(foreign)) {
      assert.equal(fs.readFileSync(path.join(project, name), 'utf8'), text, `${name} in a ${mode.toString(8)} directory`);
    }
    assert.deepEqual(fs.readdirSync(project).sort(), Object.keys(foreign).sort());
  }
});

test('a shared 1777 cache directory keeps its mode and sticky bit: the keys go into an own private subdirectory', async () => {
  const shared = fs.mkdtempSync(path.join(dir, 'shared-'));
  fs.chmodSync(shared, 0o1777);
  const run = () =>
    runBinWith(['credential-process', '--app', 'payments', '--stage', 'shared', '--config', storePath], {
      SERVERLESS_ACCESS_ROLES_CACHE_DIR: shared,
    });
  const first = await run();
  assert.equal(first.status, 0, first.stderr);
  assert.equal(fs.statSync(shared).mode & 0o7777, 0o1777, 'mode and sticky bit unchanged');
  const own = path.join(shared, `serverless-access-roles-${process.getuid()}`);
  assert.deepEqual(fs.readdirSync(shared), [path.basename(own)]);
  assert.equal(fs.statSync(own).mode & 0o7777, 0o700);
  assert.equal(fs.readdirSync(own).filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).length, 1);
  const second = await run();
  assert.equal(JSON.parse(second.stdout).AccessKeyId, JSON.parse(first.stdout).AccessKeyId, 'the entry is reused');
  const listed = await runBinWith(['cache', 'list'], { SERVERLESS_ACCESS_ROLES_CACHE_DIR: shared });
  assert.match(listed.stdout, new RegExp(`^Cached keys in ${own.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\n\\npayments/shared\\n`));
  assert.equal(fs.statSync(shared).mode & 0o7777, 0o1777);
});

test("a shared directory whose subdirectory another user planted is left as it is, and the keys still come", { skip: process.getuid() !== 0 && 'needs root to chown' }, async () => {
  const shared = fs.mkdtempSync(path.join(dir, 'planted-'));
  fs.chmodSync(shared, 0o1777);
  const own = path.join(shared, `serverless-access-roles-${process.getuid()}`);
  fs.mkdirSync(own, { mode: 0o777 });
  fs.chmodSync(own, 0o777);
  fs.chownSync(own, 65534, 65534);
  const { status, stdout, stderr } = await runBinWith(
    ['credential-process', '--app', 'payments', '--stage', 'planted', '--config', storePath],
    { SERVERLESS_ACCESS_ROLES_CACHE_DIR: shared },
  );
  assert.equal(status, 0, stderr);
  assert.match(JSON.parse(stdout).AccessKeyId, /^ASIA/);
  const planted = fs.statSync(own);
  assert.deepEqual([planted.mode & 0o7777, planted.uid, fs.readdirSync(own).length], [0o777, 65534, 0]);
  assert.equal(fs.statSync(shared).mode & 0o7777, 0o1777);
});
