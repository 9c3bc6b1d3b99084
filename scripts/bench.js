'use strict';
// `npm run bench`: how fast resolving is, against the local moto server (IAM enforced), next to
// its peers, all in one run, and what the plugin adds to `serverless print` and `osls print`.
// Prints a markdown table of medians and the targets (issues 4 and 11) as met / not met;
// BENCHMARKS.md keeps a copy. A script, not a test: speed is never asserted.
//
// Uses the newest release build of the addon when one exists (target/…/release), in a copy of
// the package laid out as installed, else the checkout's own build, and says which. `--stores`: only the store-shape rows; `--help`: the flags.

const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

/** The flags, with what `--help` says of each (__test__/workflows.test.js reads it). */
const FLAGS = { stores: 'only the store-shape rows, which need no local AWS', help: 'print this and exit' };
const USAGE = `usage: node scripts/bench.js [flags]\n${Object.entries(FLAGS).map(([f, what]) => `  --${f.padEnd(7)} ${what}`).join('\n')}\n`;
const flags = (() => {
  try {
    return parseArgs({ options: Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'boolean' }])) }).values;
  } catch (err) {
    process.stderr.write(`bench: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const ROOT = path.resolve(__dirname, '..');
/** Where release builds land: `npm run build:release` (host), `npm run build:cross` (--target). */
const RELEASES = [
  path.join(ROOT, 'target', 'release', 'libserverless_access_roles.so'),
  path.join(ROOT, 'target', 'x86_64-unknown-linux-gnu', 'release', 'libserverless_access_roles.so'),
];
/** The newest release build, if any. */
const RELEASE = RELEASES.filter((p) => fs.existsSync(p)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
const RUNS = Number(process.env.BENCH_RUNS) || 15;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sar-bench-'));

/**
 * The package the bench measures: with a release build, a copy of the package's published files
 * (its dependencies linked) with the build where lib/native.js loads it first, as a user's
 * install has it; else the checkout, with whatever its loader finds.
 */
function choosePackage() {
  if (!RELEASE) {
    // `npm run build:release` also puts its build here; its size tells it from a debug build.
    const addon = path.join(ROOT, 'serverless-access-roles.linux-x64-gnu.node');
    const { size, mtime } = fs.statSync(addon);
    return { pkg: ROOT, build: `${path.relative(ROOT, addon)} as lib/native.js loads it, ${size} bytes, built ${mtime.toISOString()}` };
  }
  const pkg = path.join(work, 'package');
  for (const entry of ['package.json', ...require('../package.json').files]) {
    fs.cpSync(path.join(ROOT, entry), path.join(pkg, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  fs.copyFileSync(RELEASE, path.join(pkg, 'serverless-access-roles.linux-x64-gnu.node'));
  return { pkg, build: `release, ${path.relative(ROOT, RELEASE)} built ${fs.statSync(RELEASE).mtime.toISOString()}` };
}
const { pkg: PKG, build } = choosePackage();
const BIN = path.join(PKG, 'bin', 'serverless-access-roles.js');

const { startLocalAws, applyEnv } = require('../__test__/helpers/localaws');
const { assumeRoleCount } = require('../__test__/helpers/sts-calls');
const { createService, createHome } = require('../__test__/helpers/serverless');
const { resolveCredentials, describeProfile } = require(PKG);
const { measureStores } = require('./bench-stores');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Runs `node args` to its end; resolves with the wall time in ms (spawn to exit) and stdout. */
function timeNode(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(process.execPath, args, { env, cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      const elapsed = ms(t0);
      if (err) reject(new Error(`node ${args.slice(0, 2).join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ elapsed, stdout });
    });
  });
}

/** `node -e` source: require the package, resolve once, print where the keys came from. */
const resolveScript = (options) => `
require(${JSON.stringify(PKG)}).resolveCredentials('payments', 'dev', ${JSON.stringify(options)})
  .then((c) => console.log(c.source));
`;

/** `node -e` source: 1000 concurrent resolves over stages s0..s9, printing the in-process ms. */
const concurrentScript = (options) => `
const { resolveCredentials } = require(${JSON.stringify(PKG)});
const t0 = process.hrtime.bigint();
Promise.all(Array.from({ length: 1000 }, (_, i) => resolveCredentials('bench', 's' + (i % 10), ${JSON.stringify(options)})))
  .then(() => console.log(Number(process.hrtime.bigint() - t0) / 1e6));
`;

/** `node -e` source: the peer, @aws-sdk/client-sts doing require + AssumeRole. */
const sdkScript = (roleArn) => `
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
new STSClient({}).send(new AssumeRoleCommand({ RoleArn: ${JSON.stringify(roleArn)}, RoleSessionName: 'bench-sdk' }))
  .then((r) => console.log(r.Credentials.AccessKeyId.slice(0, 4)));
`;

/** A SHA-256 (or HMAC-SHA-256) in the shape SignatureV4 wants, on node:crypto. */
class Sha256 {
  constructor(secret) {
    this.hash = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256');
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * One AssumeRole as a single SigV4-signed HTTP POST on a new connection (node:http,
 * agent: false): what any client must at least do. Resolves with the ms it took.
 */
async function rawAssumeRole(aws) {
  const { SignatureV4 } = require('@smithy/signature-v4'); // installed with @aws-sdk/client-sts
  const { accessKeyId, secretAccessKey } = aws.seed.baseUser;
  const signer = new SignatureV4({ service: 'sts', region: aws.seed.region, credentials: { accessKeyId, secretAccessKey }, sha256: Sha256 });
  const t0 = process.hrtime.bigint();
  const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: aws.seed.roles.deploy, RoleSessionName: 'bench-raw' }).toString();
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: aws.port, path: '/', query: {},
    headers: { host: `127.0.0.1:${aws.port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const status = await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: aws.port, method: 'POST', path: '/', headers: signed.headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 200) throw new Error(`raw AssumeRole answered ${status}`);
  return ms(t0);
}

/** A fresh, not yet existing cache directory. */
const freshCacheDir = () => path.join(fs.mkdtempSync(path.join(work, 'c-')), 'cache');

/** Fails the bench when a row does not measure what it says (a cache hit where STS was meant). */
function expect(actual, wanted, row) {
  if (actual !== wanted) throw new Error(`${row}: expected ${wanted}, got ${actual}`);
}

/** Ten profiles p0..p9 on the deploy role, for stages s0..s9 of app `bench`. */
function storeText(roleArn) {
  const stages = Array.from({ length: 10 }, (_, i) => `      s${i}: p${i}`).join('\n');
  const profiles = Array.from({ length: 10 }, (_, i) => `  p${i}:\n    roleArn: ${roleArn}`).join('\n');
  return `defaultProfile: p0\nprofiles:\n${profiles}\napps:\n  bench:\n    stages:\n${stages}\n`;
}

/**
 * The process-level rows. Each probe resolves with `{ ms, sts? }` (sts: AssumeRole calls it
 * caused). They run interleaved, one of each per round, so that load from anything else on the
 * machine falls on all rows alike.
 */
async function processProbes(aws, env, configPath) {
  const stsCalls = () => assumeRoleCount(aws.endpoint);
  const node = async (args, wanted, extraEnv = {}) => {
    const { elapsed, stdout } = await timeNode(args, { ...env, ...extraEnv });
    if (wanted) expect(stdout.trim(), wanted, args.join(' ').slice(0, 60));
    return { ms: elapsed };
  };
  const pkg = (cacheDir) => ['-e', resolveScript({ configPath, cacheDir })];
  const bin = [BIN, 'credential-process', '--app', 'payments', '--stage', 'dev', '--config', configPath];
  const warmDir = freshCacheDir();
  await node(pkg(warmDir), 'sts');
  const counted = async (fn, wantedCalls) => {
    const before = await stsCalls();
    const t0 = process.hrtime.bigint();
    const inner = await fn();
    const result = { ms: inner ?? ms(t0), sts: (await stsCalls()) - before };
    if (wantedCalls !== undefined) expect(result.sts, wantedCalls, 'STS calls');
    return result;
  };
  return {
    raw: async () => ({ ms: await rawAssumeRole(aws) }),
    node: () => node(['-e', '']),
    pkgRequire: () => node(['-e', `require(${JSON.stringify(PKG)})`]),
    pkgCold: () => node(pkg(freshCacheDir()), 'sts'),
    pkgWarm: () => node(pkg(warmDir), 'cache'),
    binCold: () => counted(async () => (await node(bin, undefined, { SERVERLESS_ACCESS_ROLES_CACHE_DIR: freshCacheDir() })).ms, 1),
    binWarm: () => counted(async () => (await node(bin, undefined, { SERVERLESS_ACCESS_ROLES_CACHE_DIR: warmDir })).ms, 0),
    sdk: () => node(['-e', sdkScript(aws.seed.roles.deploy)], 'ASIA'),
    concurrent: () => counted(async () => {
      const { stdout } = await timeNode(['-e', concurrentScript({ configPath, cacheDir: freshCacheDir() })], env);
      return Number(stdout);
    }),
    together: () => counted(async () => {
      const cacheEnv = { SERVERLESS_ACCESS_ROLES_CACHE_DIR: freshCacheDir() };
      await Promise.all(Array.from({ length: 10 }, () => node(bin, undefined, cacheEnv)));
    }),
    nodeTogether: () => counted(async () => {
      await Promise.all(Array.from({ length: 10 }, () => node(['-e', ''])));
    }),
  };
}

/**
 * `serverless print` (v3) and `osls print` in the example service, each with the plugin (keys
 * from its warm disk cache: no STS call) and in the same service without it. `print` resolves
 * the configuration's variables, so the plugin resolves keys for it as for any AWS command.
 */
async function printProbes(aws) {
  const home = await createHome();
  const withoutPlugin = (doc) => {
    const plugins = doc.get('plugins');
    plugins.items = plugins.items.filter((item) => item.value !== 'serverless-access-roles');
  };
  const services = [];
  const probe = async (service, plugin) => {
    const before = await assumeRoleCount(aws.endpoint);
    const t0 = process.hrtime.bigint();
    const { code, stdout, output } = await service.run(['print']);
    const elapsed = ms(t0);
    if (code !== 0 || !/^service: payments$/m.test(stdout)) throw new Error(`${service.label} print exited ${code}:\n${output}`);
    expect(/Access role: \S+ → profile "/.test(output), plugin, `${service.label} print: plugin active`);
    return { ms: elapsed, sts: (await assumeRoleCount(aws.endpoint)) - before };
  };
  const probes = {};
  for (const cli of ['serverless', 'osls']) {
    const withIt = await createService(aws, cli, { home, pkg: PKG });
    const without = await createService(aws, cli, { home, edit: withoutPlugin, pkg: PKG });
    services.push(withIt, without);
    probes[`${cli}Print`] = () => probe(withIt, true);
    probes[`${cli}PrintBare`] = () => probe(without, false);
  }
  const remove = async () => {
    for (const service of services) await service.remove();
    await home.remove();
  };
  return { probes, remove };
}

async function measure(aws) {
  const configPath = path.join(work, 'access-roles.yml');
  fs.writeFileSync(configPath, storeText(aws.seed.roles.deploy));
  // The base user against moto, for children and for this process (the addon reads its env).
  const changes = { ...aws.env, HOME: work, XDG_CACHE_HOME: undefined, SERVERLESS_ACCESS_ROLES_CACHE_DIR: undefined };
  applyEnv(changes);
  const env = { ...process.env };
  const prints = await printProbes(aws);
  const probes = { ...(await processProbes(aws, env, configPath)), ...prints.probes };
  // One unmeasured round warms the disk, the page cache and moto; it also fills warmDir, the
  // print services' key caches and the CLIs' compiled schemas.
  for (const probe of Object.values(probes)) await probe();
  const results = Object.fromEntries(Object.keys(probes).map((name) => [name, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const [name, probe] of Object.entries(probes)) results[name].push(await probe());
  }
  await prints.remove();
  for (const cli of ['serverless', 'osls']) {
    const calls = results[`${cli}Print`].map((r) => r.sts);
    if (calls.some((c) => c !== 0)) throw new Error(`${cli} print called STS (${calls}) with its keys cached`);
  }
  const rows = Object.fromEntries(Object.entries(results).map(([name, rs]) => [name, median(rs.map((r) => r.ms))]));
  const sts = Object.fromEntries(Object.entries(results).map(([name, rs]) => [name, rs.map((r) => r.sts)]));
  // Each row minus its baseline in the same round, then the median: load that comes and goes
  // hits both sides of a pair alike.
  const paired = (name, base) => median(results[name].map((r, i) => r.ms - results[base][i].ms));
  const above = Object.fromEntries(Object.keys(results).map((name) => [name, paired(name, 'node')]));
  above.together = paired('together', 'nodeTogether');
  // The plugin's share of a print: with it minus without, per round, over the median without.
  // Its quartiles say how far apart single rounds were: on a busy machine, further than 2 %.
  const spread = {};
  for (const cli of ['serverless', 'osls']) {
    above[`${cli}Print`] = paired(`${cli}Print`, `${cli}PrintBare`);
    const diffs = results[`${cli}Print`].map((r, i) => r.ms - results[`${cli}PrintBare`][i].ms).sort((a, b) => a - b);
    spread[`${cli}Print`] = [diffs[Math.floor((diffs.length - 1) / 4)], diffs[Math.ceil((3 * (diffs.length - 1)) / 4)]];
  }

  // In-process repeat: sequential awaits of one key with the memory cache warm; µs per call.
  const options = { configPath, cacheDir: freshCacheDir() };
  await resolveCredentials('payments', 'dev', options);
  expect((await resolveCredentials('payments', 'dev', options)).source, 'cache', 'in-process repeat');
  const repeats = [];
  for (let round = 0; round < RUNS; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) await resolveCredentials('payments', 'dev', options);
    repeats.push(ms(t0)); // ms per 1000 calls = µs per call
  }
  rows.repeat = median(repeats);
  return { rows, above, sts, spread };
}

/** "10 in each of 15 runs", or the spread. */
function calls(counts) {
  const same = counts.every((c) => c === counts[0]);
  return same ? `${counts[0]} in each of ${counts.length} runs` : `${Math.min(...counts)}–${Math.max(...counts)}`;
}

function report({ rows, above, sts, spread }) {
  const f = (x) => x.toFixed(1);
  const share = (cli) => above[`${cli}Print`] / rows[`${cli}PrintBare`];
  const pct = (cli) => `${(100 * share(cli)).toFixed(1)} %`;
  const vsNode = (name) => `${f(above[name])} ms above \`node -e ''\``;
  const table = [
    '| measurement | median | notes |',
    '| --- | ---: | --- |',
    `| raw AssumeRole round trip | ${f(rows.raw)} ms | one SigV4-signed POST on a new connection (@smithy/signature-v4 + node:http), in this process |`,
    `| \`node -e ''\` | ${f(rows.node)} ms | bare node start, the baseline |`,
    `| \`require('serverless-access-roles')\` | ${f(rows.pkgRequire)} ms | ${vsNode('pkgRequire')} |`,
    `| bin \`credential-process\`, cold cache directory (STS) | ${f(rows.binCold)} ms | ${vsNode('binCold')} |`,
    `| bin \`credential-process\`, warm disk cache | ${f(rows.binWarm)} ms | ${vsNode('binWarm')} |`,
    `| \`require('serverless-access-roles')\` + first resolve, cold cache directory (STS) | ${f(rows.pkgCold)} ms | ${vsNode('pkgCold')} |`,
    `| \`require('serverless-access-roles')\` + resolve, warm disk cache | ${f(rows.pkgWarm)} ms | ${vsNode('pkgWarm')} |`,
    `| \`@aws-sdk/client-sts\`: require + AssumeRole | ${f(rows.sdk)} ms | ${vsNode('sdk')} |`,
    `| in-process repeat resolve | ${f(rows.repeat)} µs | memory cache, sequential awaits, 1000 per round |`,
    `| 1000 concurrent resolves over 10 profiles | ${f(rows.concurrent)} ms | STS calls: ${calls(sts.concurrent)}; fresh process and cache directory per round, time inside it |`,
    `| 10 bin processes started together, one key | ${f(rows.together)} ms | STS calls: ${calls(sts.together)}; until the last exits; ${f(above.together)} ms above the row below |`,
    `| 10 \`node -e ''\` started together | ${f(rows.nodeTogether)} ms | the baseline for the row above |`,
    ...['serverless', 'osls'].flatMap((cli) => [
      `| \`${cli} print\` with the plugin, warm key cache | ${f(rows[`${cli}Print`])} ms | ${f(above[`${cli}Print`])} ms (${pct(cli)}) above the row below, quartiles of the rounds ${spread[`${cli}Print`].map(f).join(' to ')} ms; STS calls: ${calls(sts[`${cli}Print`])} |`,
      `| \`${cli} print\`, the same service without the plugin | ${f(rows[`${cli}PrintBare`])} ms | the baseline for the row above |`,
    ]),
  ];
  const met = (ok) => (ok ? 'met' : '**not met**');
  const ratio = (x) => `${x.toFixed(2)}×`;
  const cold = (path, name) => [
    `| ${path}: cold ≤ 1.5× raw round trip (above node start) | ${ratio(above[name] / rows.raw)} | ${met(above[name] / rows.raw <= 1.5)} |`,
    `| ${path}: cold ≥ 10× faster than @aws-sdk/client-sts (above node start; whole process in brackets) | ${ratio(above.sdk / above[name])} (${ratio(rows.sdk / rows[name])}) | ${met(above.sdk / above[name] >= 10)} |`,
  ];
  const warm = (path, name) => `| ${path}: warm cache ≤ 2 ms above \`node -e ''\` | ${f(above[name])} ms | ${met(above[name] <= 2)} |`;
  const targets = [
    '| target | measured | |',
    '| --- | ---: | --- |',
    ...cold('bin', 'binCold'),
    ...cold('require', 'pkgCold'),
    warm('bin', 'binWarm'),
    warm('require', 'pkgWarm'),
    `| in-process repeat ≤ 50 µs | ${f(rows.repeat)} µs | ${met(rows.repeat <= 50)} |`,
    `| exactly 10 STS calls for the 1000 | ${calls(sts.concurrent)} | ${met(sts.concurrent.every((c) => c === 10))} |`,
    `| exactly 1 STS call for the 10 processes | ${calls(sts.together)} | ${met(sts.together.every((c) => c === 1))} |`,
  ];
  const issue11 = [
    '| target (issue 11) | measured | |',
    '| --- | ---: | --- |',
    `| \`require('serverless-access-roles')\` ≤ 3 ms above \`node -e ''\` | ${f(above.pkgRequire)} ms | ${met(above.pkgRequire <= 3)} |`,
    `| \`require\` + first resolve with an STS call ≤ 1.5× the raw round trip, above a node start | ${ratio(above.pkgCold / rows.raw)} | ${met(above.pkgCold / rows.raw <= 1.5)} |`,
    `| bin \`credential-process\`, warm disk cache ≤ 4 ms above \`node -e ''\` | ${f(above.binWarm)} ms | ${met(above.binWarm <= 4)} |`,
    ...['serverless', 'osls'].map((cli) => `| the plugin's added wall time on \`${cli} print\`, warm cache, ≤ 2 % | ${pct(cli)} (${f(above[`${cli}Print`])} ms) | ${met(share(cli) <= 0.02)} |`),
  ];
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}`;
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return [
    `medians of ${RUNS} interleaved rounds ("above" figures: median of the per-round differences); ${machine}; load average at the end ${load}`,
    `addon: ${build}`,
    '',
    ...table,
    '',
    ...targets,
    '',
    ...issue11,
  ].join('\n');
}

async function main() {
  // --stores: only the store-shape rows, which need no local AWS.
  if (flags.stores) {
    try {
      console.log(`addon: ${build}\n\n${measureStores(describeProfile, work, RUNS)}`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  const aws = await startLocalAws();
  try {
    console.log(report(await measure(aws)));
    console.log(`\n${measureStores(describeProfile, work, RUNS)}`);
  } finally {
    await aws.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
