'use strict';
// The disk cache seen from outside, as commands see it: each resolve runs in a fresh node
// process against moto with IAM enforced, and STS calls are counted on the server.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startLocalAws } = require('./helpers/localaws');
const { grantsDuring } = require('./helpers/harness');
const { defaultCacheDir } = require('./helpers/platform');

const ROOT = path.resolve(__dirname, '..');

// A command in miniature: require the package, resolve once, print what came back (never the
// secret parts) or the error code.
const RESOLVE = `
const [app, stage, options] = [process.argv[1], process.argv[2], JSON.parse(process.argv[3])];
require(${JSON.stringify(ROOT)}).resolveCredentials(app, stage, options).then(
  (c) => console.log(JSON.stringify({ source: c.source, accessKeyId: c.accessKeyId, diskCacheOff: c.diskCacheOff })),
  (e) => console.log(JSON.stringify({ code: e.code, message: e.message })),
);
`;

let aws;
let dir;
let configPath;

before(async () => {
  aws = await startLocalAws();
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-cache-')));
  configPath = path.join(dir, 'access-roles.yml');
  fs.writeFileSync(
    configPath,
    `profiles:
  sandbox:
    roleArn: ${aws.seed.roles.deploy}
defaultProfile: sandbox
`,
  );
});

after(async () => {
  await aws?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A cache directory path for one test; it does not exist yet. */
const newCacheDir = () => path.join(fs.mkdtempSync(path.join(dir, 't-')), 'cache');

/**
 * Resolves `payments`/`stage` in a fresh node process as the base user of `server`.
 * @returns {Promise<{ source?: string, accessKeyId?: string, code?: string }>}
 */
function resolveInChild(options, { stage = 'dev', server = aws, env = {} } = {}) {
  const merged = { ...process.env, ...server.env, HOME: dir, XDG_CACHE_HOME: undefined, ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
  const args = ['-e', RESOLVE, 'payments', stage, JSON.stringify({ configPath, ...options })];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { message: `${err.message}\n${stderr}` }));
      else resolve(JSON.parse(stdout));
    });
  });
}


/** The single `*.json` entry in `cacheDir`. */
function onlyEntry(cacheDir) {
  const entries = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json'));
  assert.equal(entries.length, 1, `one entry in ${entries}`);
  return path.join(cacheDir, entries[0]);
}

/** Permission bits of a path. */
const mode = (p) => fs.statSync(p).mode & 0o777;

test('a second process reuses the entry without calling STS: it works with the server stopped', async () => {
  const server = await startLocalAws();
  const cacheDir = newCacheDir();
  let first;
  try {
    first = await resolveInChild({ cacheDir }, { server });
    assert.equal(first.source, 'sts');
  } finally {
    await server.stop();
  }
  const second = await resolveInChild({ cacheDir }, { server });
  assert.deepEqual(second, { source: 'cache', accessKeyId: first.accessKeyId });
  // The server really is gone: the same resolve without the cache cannot reach STS.
  const uncached = await resolveInChild({ cacheDir, cache: false }, { server });
  assert.equal(uncached.code, 'E_STS_UNREACHABLE');
});

test('8 processes at once for one key: one AssumeRole, one whole 0600 entry in a 0700 directory', async () => {
  const cacheDir = newCacheDir();
  const { grants, result } = await grantsDuring(aws, () =>
    Promise.all(Array.from({ length: 8 }, () => resolveInChild({ cacheDir }))),
  );
  assert.equal(grants.length, 1, 'exactly one STS call');
  assert.deepEqual(result.map((r) => r.accessKeyId), Array(8).fill(grants[0]));
  assert.deepEqual(result.map((r) => r.source).sort(), [...Array(7).fill('cache'), 'sts']);

  assert.equal(mode(cacheDir), 0o700);
  for (const name of fs.readdirSync(cacheDir)) {
    const file = path.join(cacheDir, name);
    assert.ok(fs.lstatSync(file).isFile(), `${name} is a plain file`);
    assert.equal(mode(file).toString(8), '600', `${name} is private to the user`);
    assert.ok(!name.startsWith('.tmp'), `no temporary file left: ${name}`);
    if (name.endsWith('.json')) assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).accessKeyId, grants[0]);
  }
  onlyEntry(cacheDir);
});

test('an entry with less than the refresh margin left is not served; one with more is', async () => {
  const cacheDir = newCacheDir();
  const first = await resolveInChild({ cacheDir });
  const file = onlyEntry(cacheDir);
  // Rewrites the entry in place (its mode stays 0600) as if its keys expired that soon.
  const expireIn = (seconds) => {
    const entry = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(typeof entry.expirationMs, 'number', 'the entry format this test edits');
    fs.writeFileSync(file, JSON.stringify({ ...entry, expirationMs: Date.now() + seconds * 1000 }));
  };

  expireIn(20 * 60); // more than the default 15 minutes left
  assert.deepEqual(await resolveInChild({ cacheDir }), { source: 'cache', accessKeyId: first.accessKeyId });
  assert.equal((await resolveInChild({ cacheDir, refreshMarginSeconds: 25 * 60 })).source, 'sts', 'a wider margin');

  expireIn(10 * 60); // less than the default margin left
  const { grants, result } = await grantsDuring(aws, () => resolveInChild({ cacheDir }));
  assert.deepEqual(result, { source: 'sts', accessKeyId: grants[0] });
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).accessKeyId, grants[0], 'the entry was replaced');
});

test('forceRefresh calls STS even with a fresh entry, and stores the new keys', async () => {
  const cacheDir = newCacheDir();
  const first = await resolveInChild({ cacheDir });
  const forced = await resolveInChild({ cacheDir, forceRefresh: true });
  assert.equal(forced.source, 'sts');
  assert.notEqual(forced.accessKeyId, first.accessKeyId);
  assert.deepEqual(await resolveInChild({ cacheDir }), { source: 'cache', accessKeyId: forced.accessKeyId });
});

test('a corrupt, group-readable or misfiled entry is ignored and replaced', async () => {
  const cacheDir = newCacheDir();
  await resolveInChild({ cacheDir });
  const file = onlyEntry(cacheDir);
  const whole = fs.readFileSync(file, 'utf8');

  const spoil = {
    torn: () => fs.writeFileSync(file, whole.slice(0, whole.length / 2)),
    'group-readable': () => fs.chmodSync(file, 0o640),
    'world-readable': () => fs.chmodSync(file, 0o604),
    // A valid entry of another key (another stage's session name) under this key's name.
    misfiled: async () => {
      const other = newCacheDir();
      await resolveInChild({ cacheDir: other }, { stage: 'other' });
      fs.copyFileSync(onlyEntry(other), file);
    },
  };
  for (const [how, act] of Object.entries(spoil)) {
    const before = fs.readFileSync(file, 'utf8');
    await act();
    const { grants, result } = await grantsDuring(aws, () => resolveInChild({ cacheDir }));
    assert.deepEqual(result, { source: 'sts', accessKeyId: grants[0] }, how);
    assert.equal(mode(file), 0o600, `${how}: replaced by a private entry`);
    assert.notEqual(fs.readFileSync(file, 'utf8'), before, how);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).accessKeyId, grants[0], how);
  }
});

test(
  'an entry owned by another user is ignored and replaced',
  { skip: process.getuid() !== 0 && 'chown to another user needs root' },
  async () => {
    const cacheDir = newCacheDir();
    await resolveInChild({ cacheDir });
    const file = onlyEntry(cacheDir);
    fs.chownSync(file, 65534, 65534);
    const { grants, result } = await grantsDuring(aws, () => resolveInChild({ cacheDir }));
    assert.deepEqual(result, { source: 'sts', accessKeyId: grants[0] });
    assert.equal(fs.statSync(file).uid, process.getuid(), 'replaced by our own entry');
  },
);

test('cache: false neither reads nor writes the cache', async () => {
  const cacheDir = newCacheDir();
  const a = await resolveInChild({ cacheDir, cache: false });
  const b = await resolveInChild({ cacheDir, cache: false });
  assert.deepEqual([a.source, b.source], ['sts', 'sts']);
  assert.notEqual(a.accessKeyId, b.accessKeyId);
  assert.equal(fs.existsSync(cacheDir), false, 'the directory was not even created');

  await resolveInChild({ cacheDir });
  const c = await resolveInChild({ cacheDir, cache: false });
  assert.equal(c.source, 'sts', 'a fresh entry is not read either');
});

test("the cache lives in SERVERLESS_ACCESS_ROLES_CACHE_DIR, else the platform's cache directory", async () => {
  const fromEnv = newCacheDir();
  await resolveInChild({}, { env: { SERVERLESS_ACCESS_ROLES_CACHE_DIR: fromEnv } });
  assert.equal(mode(onlyEntry(fromEnv)), 0o600);

  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  const first = await resolveInChild({}, { env: { HOME: home, SERVERLESS_ACCESS_ROLES_CACHE_DIR: undefined } });
  const platformDir = defaultCacheDir(home);
  assert.equal(mode(platformDir), 0o700);
  assert.equal(JSON.parse(fs.readFileSync(onlyEntry(platformDir), 'utf8')).accessKeyId, first.accessKeyId);
});

test('a symlinked cache directory is not used, and the keys say why', async () => {
  const real = newCacheDir();
  fs.mkdirSync(real, { recursive: true, mode: 0o700 });
  const link = path.join(path.dirname(real), 'link');
  fs.symlinkSync(real, link);
  const first = await resolveInChild({ cacheDir: link });
  assert.equal(first.source, 'sts');
  assert.match(first.diskCacheOff, /link is a symlink; use a real directory$/);
  assert.deepEqual(fs.readdirSync(real), [], 'nothing written through the link');
  const again = await resolveInChild({ cacheDir: link });
  assert.equal(again.source, 'sts', 'so a new process calls STS again');

  const used = await resolveInChild({ cacheDir: real });
  assert.equal(used.diskCacheOff, undefined, 'a usable directory says nothing');
});

test('the cache key follows the base profile: an unrelated AWS config edit keeps the keys, an edit to it does not', async () => {
  const cacheDir = newCacheDir();
  const config = path.join(fs.mkdtempSync(path.join(dir, 'aws-')), 'config');
  fs.writeFileSync(config, '[default]\nregion = us-east-1\n');
  const env = { AWS_CONFIG_FILE: config, AWS_PROFILE: undefined, AWS_DEFAULT_PROFILE: undefined };
  assert.equal((await resolveInChild({ cacheDir }, { env })).source, 'sts');
  fs.appendFileSync(config, '\n[profile unrelated]\nregion = eu-west-1\n');
  assert.equal((await resolveInChild({ cacheDir }, { env })).source, 'cache', 'a profile added elsewhere');
  fs.writeFileSync(config, '[default]\nregion = us-east-1\noutput = json\n\n[profile unrelated]\nregion = eu-west-1\n');
  assert.equal((await resolveInChild({ cacheDir }, { env })).source, 'cache', 'a setting that picks no identity');
  fs.writeFileSync(config, '[default]\nregion = us-east-1\nrole_session_name = edited\n');
  assert.equal((await resolveInChild({ cacheDir }, { env })).source, 'sts', 'the base profile edited');
});
