'use strict';
// lib/native.js: when no binary fits, the error names the platform and the package to install.
// Each case runs in a child process, since a loaded addon stays loaded.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const NATIVE = path.resolve(__dirname, '..', 'lib', 'native.js');

/**
 * Requires lib/native.js in a child with `env`, then calls `findProfileStore` for a store that does
 * not exist; returns the export names, whether the addon was loaded by the require alone, what
 * the call answered, its error's `{ code, message }` when it threw, and the files the load
 * brought in (`.node` and binding.js).
 */
function loadInChild(env, preamble = '') {
  const script = `${preamble}
    const native = require(${JSON.stringify(NATIVE)});
    const loadedByRequire = Object.keys(require.cache).some((f) => f.endsWith('.node'));
    let code, message, found;
    try { found = native.findProfileStore({ configPath: '/nonexistent/access-roles.yml' }) } catch (e) { ({ code, message } = e) }
    const loaded = Object.keys(require.cache).filter((f) => f.endsWith('.node') || f.endsWith('binding.js'));
    console.log(JSON.stringify({ keys: Object.keys(native), loadedByRequire, found, code, message, loaded }))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' }));
}

test('the addon loads on first call and exposes the native API', () => {
  const { keys, loadedByRequire, found, code } = loadInChild({});
  assert.ok(keys.includes('resolveCredentials') && keys.includes('describeProfile'), JSON.stringify(keys));
  assert.equal(loadedByRequire, false, 'requiring lib/native.js must not load the addon');
  assert.equal(code, undefined);
  // As the core makes it absolute: on Windows, on the current drive (`D:\\nonexistent\\…`).
  const expected = path.resolve('/nonexistent/access-roles.yml');
  assert.deepEqual(found, { path: expected, exists: false, format: 'yaml', searched: [expected] });
});

/** The build in the package root, as `npm run build` or the release workflow's download leaves it. */
function rootBuild() {
  const root = path.resolve(__dirname, '..');
  const builds = fs.readdirSync(root).filter((f) => /^serverless-access-roles\..+\.node$/.test(f));
  assert.equal(builds.length, 1, `one build in the package root: ${builds}`);
  return path.join(root, builds[0]);
}

test('the build beside the package is loaded directly, without the generated binding.js', () => {
  const { loaded, code } = loadInChild({ NAPI_RS_NATIVE_LIBRARY_PATH: undefined, NAPI_RS_ENFORCE_VERSION_CHECK: undefined });
  assert.equal(code, undefined);
  assert.deepEqual(loaded, [rootBuild()]);
});

test("napi-rs' override variable still goes through binding.js", () => {
  const { loaded, code } = loadInChild({ NAPI_RS_NATIVE_LIBRARY_PATH: rootBuild() });
  assert.equal(code, undefined);
  assert.deepEqual(loaded.map((f) => path.basename(f)).sort(), ['binding.js', path.basename(rootBuild())].sort());
});

test('a missing platform package is named, with the platform and how to install it', () => {
  const { code, message } = loadInChild({ NAPI_RS_NATIVE_LIBRARY_PATH: path.join(os.tmpdir(), 'no-such-addon.node') });
  assert.equal(code, 'E_NO_NATIVE_BINDING');
  assert.match(message, new RegExp(`for ${process.platform} ${process.arch}`));
  if (process.platform === 'linux') assert.match(message, /\((glibc[ \d.]*|musl)\)/);
  assert.match(message, /serverless-access-roles-[a-z0-9]+-[a-z0-9]+/);
  assert.match(message, /npm install serverless-access-roles-\S+@\d+\.\d+\.\d+/);
});

test('a binary that fails to load is reported with the loader error and the platform', (t) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'native-test-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'broken.node');
  fs.writeFileSync(bad, 'not a shared object');
  const { code, message } = loadInChild({ NAPI_RS_NATIVE_LIBRARY_PATH: bad });
  assert.equal(code, 'E_NO_NATIVE_BINDING');
  assert.match(message, new RegExp(`native addon for ${process.platform} ${process.arch}.* failed to load: .*broken\\.node`));
});

test('on a musl Linux without /usr/bin/ldd (an Alpine image), the musl package is named', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
  // What such a machine shows: no glibc version in the report, musl's loader among the shared
  // objects, and no ldd to read.
  const alpine = `const fs = require('node:fs');
    const readFileSync = fs.readFileSync;
    fs.readFileSync = (file, ...rest) => { if (file === '/usr/bin/ldd') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); return readFileSync(file, ...rest); };
    process.report.getReport = () => ({ header: {}, sharedObjects: ['/lib/ld-musl-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.so.1'] });`;
  const { code, message } = loadInChild({ NAPI_RS_NATIVE_LIBRARY_PATH: path.join(os.tmpdir(), 'no-such-addon.node') }, alpine);
  assert.equal(code, 'E_NO_NATIVE_BINDING');
  assert.match(message, new RegExp(`for linux ${process.arch} \\(musl\\)`));
  assert.match(message, new RegExp(`the package serverless-access-roles-linux-${process.arch}-musl is not installed`));
});
