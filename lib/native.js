'use strict';
// The one place that loads the native addon, on first use: requiring this file loads nothing, so
// commands that need no keys work without the platform package. Each export calls the addon's
// function of the same name, loading the addon on the first call: directly from where napi-rs'
// generated loader (binding.js) looks first, else through binding.js. When no binary fits this
// machine, that call throws an error that names the platform and the package that would be
// needed, instead of the generated loader's generic "Cannot find native binding".
//
// The binaries ship as per-platform packages (npm/*), listed in package.json as
// optionalDependencies; npm installs only the one whose os/cpu/libc match this machine. One goes
// missing when optional dependencies were omitted (`--omit=optional`), when a lockfile made on
// another platform was installed (https://github.com/npm/cli/issues/4828), or on a platform we
// do not build for.

const fs = require('node:fs');

const PACKAGE = 'serverless-access-roles';

/** Platforms with a published binary, as napi-rs names their packages. */
const PREBUILT = ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];

/** Whether a shared object is musl's C library or loader, as binding.js tells. */
const isMuslObject = (file) => file.includes('libc.musl-') || file.includes('ld-musl-');

/**
 * `{ libc: 'gnu' | 'musl' | null, glibc: '2.35' | null }` of this Linux process, as binding.js
 * decides it: the diagnostic report's glibc version, else musl among its shared objects (Alpine
 * images need not have /usr/bin/ldd), else what /usr/bin/ldd says.
 */
function linuxLibc() {
  let report = null;
  try {
    report = process.report.getReport();
  } catch {
    // Reports can be unavailable; fall back to the filesystem.
  }
  if (report && report.header && report.header.glibcVersionRuntime) return { libc: 'gnu', glibc: report.header.glibcVersionRuntime };
  if (report && Array.isArray(report.sharedObjects) && report.sharedObjects.some(isMuslObject)) return { libc: 'musl', glibc: null };
  try {
    return { libc: fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'gnu', glibc: null };
  } catch {
    return { libc: null, glibc: null };
  }
}

/** This process's platform: the package suffix napi-rs would use, and words for a message. */
function currentPlatform() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const { libc, glibc } = linuxLibc();
    const words = libc === 'gnu' ? `glibc${glibc ? ` ${glibc}` : ''}` : libc || 'unknown C library';
    return { key: `${platform}-${arch}-${libc || 'gnu'}`, description: `${platform} ${arch} (${words})` };
  }
  if (platform === 'win32') return { key: `${platform}-${arch}-msvc`, description: `${platform} ${arch}` };
  return { key: `${platform}-${arch}`, description: `${platform} ${arch}` };
}

/** The messages of binding.js's error chain (it keeps messages, not codes). */
function causeMessages(err) {
  const messages = [];
  for (let e = err && err.cause; e && messages.length < 32; e = e.cause) messages.push(String(e.message));
  return messages;
}

/**
 * The error for a failed load: names the platform and the package; `cause` keeps the loader's
 * own error with every path it tried.
 */
function loadError(err) {
  const { key, description } = currentPlatform();
  const pkg = `${PACKAGE}-${key}`;
  const failures = causeMessages(err).filter((m) => !/^Cannot find module|^Unsupported (OS|architecture)/.test(m));
  let message;
  if (failures.length > 0) {
    // A binary was found but would not load: a glibc older than the build's, a damaged file.
    message = `${PACKAGE}: the native addon for ${description} failed to load: ${failures[0]}`;
  } else if (PREBUILT.includes(key)) {
    const { version } = require('../package.json');
    message =
      `${PACKAGE}: no native addon for ${description}: the package ${pkg} is not installed. ` +
      'npm installs it as an optional dependency and skips it with --omit=optional, or when the ' +
      `lockfile was made on another platform. Run \`npm install ${pkg}@${version}\`, or delete ` +
      'node_modules and package-lock.json and run `npm install` again.';
  } else {
    message =
      `${PACKAGE}: no prebuilt native addon for ${description} (it would be the package ${pkg}); ` +
      `prebuilt for: ${PREBUILT.join(', ')}. To build one, install Rust and run ` +
      '`npx napi build --platform --release --js binding.js --dts binding.d.ts` in a checkout of the repository.';
  }
  const error = new Error(message);
  error.code = 'E_NO_NATIVE_BINDING';
  error.cause = err;
  return error;
}

/**
 * The addon from where binding.js looks first for this platform (a build in the package root,
 * then the platform package), loaded without binding.js: its 37 KB of every platform's branches
 * cost a warm `credential-process` run about 2 ms of its ~5 (BENCHMARKS.md). `null` whenever
 * binding.js has more to decide: its override and version-check variables, a Linux whose C
 * library `/usr/bin/ldd` does not tell, no such file or package, or one that fails to load (then
 * binding.js tries every place and its errors make the message).
 */
function loadDirect() {
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH || process.env.NAPI_RS_ENFORCE_VERSION_CHECK) return null;
  let key = `${process.platform}-${process.arch}`;
  if (process.platform === 'win32') key += '-msvc';
  if (process.platform === 'linux') {
    try {
      // binding.js's first test, and the same answer: musl's ldd says so.
      key += fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? '-musl' : '-gnu';
    } catch {
      return null;
    }
  }
  for (const place of [`../${PACKAGE}.${key}.node`, `${PACKAGE}-${key}`]) {
    try {
      return require(place);
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') return null;
    }
  }
  return null;
}

let binding = null;

/** The addon, loaded on the first call; a failed load throws `E_NO_NATIVE_BINDING` each time. */
function load() {
  if (binding) return binding;
  binding = loadDirect();
  if (binding) return binding;
  try {
    binding = require('../binding.js');
  } catch (err) {
    throw loadError(err);
  }
  return binding;
}

/** The addon's functions that lib/ calls; each loads the addon when first called. */
const FUNCTIONS = [
  'resolveCredentials',
  'describeProfile',
  'findProfileStore',
  'checkStore',
  'describeStore',
  'saveStore',
  'mappingPath',
  'suggest',
  'iamPrincipal',
  'awsConfigProfiles',
  'credentialProcessLine',
  'renderAwsConfigProfiles',
  'writeAwsConfigProfiles',
  'awsConfigProfilesState',
  'sessionEnvironment',
  'servedSessionEnvironment',
  'listCache',
  'callerIdentity',
  'clearCache',
  'watchSentInterrupts',
  'takeSentInterrupts',
];

module.exports = Object.fromEntries(FUNCTIONS.map((name) => [name, (...args) => load()[name](...args)]));
