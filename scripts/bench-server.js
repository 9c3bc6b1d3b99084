'use strict';
// `node scripts/bench-server.js [--size]`: what `exec --server`'s endpoint costs, for the choice
// of where it lives (README "exec --server", BENCHMARKS.md "exec --server"). Against the local
// moto server (IAM enforced), in one run: the core's resolve of fresh keys (what every request
// asks), the same through the endpoint over one kept-alive connection (an SDK in a long process),
// and over a new connection each time (the aws CLI, one process per command). `--size` also builds
// scripts/server-size with and without a hyper server (the addon's hyper, tokio and release
// profile) and prints the stripped sizes: what a server in the core would add to the addon.
// A script, not a test: speed is never asserted.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS) || 2000;
const { values: flags } = parseArgs({ options: { size: { type: 'boolean' }, help: { type: 'boolean' } } });
if (flags.help) {
  process.stdout.write('usage: node scripts/bench-server.js [--size]\n  --size  also build scripts/server-size twice and print the stripped sizes\n');
  process.exit(0);
}

const { startLocalAws, applyEnv } = require('../__test__/helpers/localaws');
const { resolveCredentials } = require('..');
const { startCredentialsServer } = require('../lib/cli/credentials-server');

/** Microseconds taken by each of `runs` calls of `work`, one after the other. */
async function times(work, runs = RUNS) {
  const taken = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    await work();
    taken.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return taken.sort((a, b) => a - b);
}

const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** One GET of the endpoint with `agent`; rejects unless it answers 200. */
function get(server, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(server.uri, { agent, headers: { authorization: server.token } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

/** The stripped size of scripts/server-size built with `features`. */
function serverSize(features) {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'sar-server-size-'));
  const crate = path.join(ROOT, 'scripts', 'server-size');
  execFileSync('cargo', ['build', '--release', '--locked', '--quiet', ...features], { cwd: crate, env: { ...process.env, CARGO_TARGET_DIR: target }, stdio: 'inherit' });
  const size = fs.statSync(path.join(target, 'release', 'server-size')).size;
  fs.rmSync(target, { recursive: true, force: true });
  return size;
}

async function main() {
  const aws = await startLocalAws();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sar-bench-server-'));
  try {
    const configPath = path.join(dir, 'access-roles.yml');
    fs.writeFileSync(configPath, `profiles:\n  sandbox:\n    roleArn: ${aws.seed.roles.deploy}\napps:\n  payments: { defaultProfile: sandbox }\n`);
    applyEnv({ ...aws.env, SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(dir, 'cache'), SERVERLESS_ACCESS_ROLES_SESSION: undefined });
    const options = { configPath };
    const resolve = () => resolveCredentials('payments', 'dev', options);
    await resolve(); // the one STS call; every measured request is answered from memory
    const server = await startCredentialsServer(resolve);
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const fresh = new http.Agent({ keepAlive: false });
    await times(resolve, 200); // warm-up
    await times(() => get(server, keepAlive), 200);
    const rows = [
      ['core resolve of fresh keys (`resolveCredentials`, in memory)', await times(resolve)],
      ['GET the endpoint, one kept-alive connection (an SDK in a long process)', await times(() => get(server, keepAlive))],
      ['GET the endpoint, a new connection each time (the aws CLI)', await times(() => get(server, fresh))],
    ];
    keepAlive.destroy();
    await server.close();
    const base = at(rows[0][1], 0.5);
    const f = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`);
    const lines = [
      `exec --server endpoint (node ${process.versions.node}, ${os.cpus().length} CPUs, ${RUNS} requests each)`,
      '',
      '| what | median | p90 | p99 | median vs resolve |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map(([what, t]) => `| ${what} | ${f(at(t, 0.5))} | ${f(at(t, 0.9))} | ${f(at(t, 0.99))} | ${(at(t, 0.5) / base).toFixed(1)}× |`),
    ];
    if (flags.size) {
      const without = serverSize([]);
      const withServer = serverSize(['--features', 'server']);
      lines.push(
        '',
        '| scripts/server-size, stripped release build | bytes |',
        '| --- | --- |',
        `| hyper client, tokio (as in the addon) | ${without.toLocaleString('en')} |`,
        `| the same with a hyper http1 server on 127.0.0.1 | ${withServer.toLocaleString('en')} |`,
        `| what a server in the core would add | **${(withServer - without).toLocaleString('en')}** |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await aws.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench-server: ${err.stack}\n`);
  process.exitCode = 1;
});
