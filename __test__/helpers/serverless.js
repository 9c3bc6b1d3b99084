'use strict';
// Runs the real Serverless CLIs as a user would: in a temporary copy of examples/ with the
// plugin installed (symlinked into its node_modules), against the local AWS server of
// ./localaws.js. serverless v3 reaches that server through serverless-localstack; osls 4
// through AWS_ENDPOINT_URL, which its SDK v3 clients honour (docs/ARCHITECTURE.md, "Test
// seams").
//
//   const home = await createHome();  // optional, shared: the CLIs cache compiled schemas there
//   const service = await createService(aws, 'osls', { home, edit: (doc) => doc.setIn([...], v) });
//   const { code, stdout, stderr } = await service.run(['info']);
//   const { code, output } = await service.runInTerminal(['info'], { prompt: /code: $/, answer: '1' });
//   const { code, stdout } = await service.runBin(['exec', '--app', 'payments', '--stage', 'dev', '--', 'aws', …]);
//   await service.remove();
//   await home.remove();

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const YAML = require('yaml');
const { runInTerminal } = require('./terminal');

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples');
/** This package's own bin (`serverless-access-roles exec`, `credential-process`, …). */
const ACCESS_ROLES_BIN = path.join(ROOT, 'bin', 'serverless-access-roles.js');

/**
 * The CLIs under test. `node_modules/.bin/serverless` is osls's (both packages name their bin
 * `serverless`), so each is started through its package's own script.
 */
const CLIS = {
  serverless: { label: 'serverless v3', bin: require.resolve('serverless/bin/serverless.js'), localstack: true },
  osls: { label: 'osls 4', bin: require.resolve('osls/bin/serverless.js'), localstack: false },
};

/** Stages the tests may use; serverless-localstack redirects only the stages it lists. */
const STAGES = ['dev', 'prod', 'qa'];

const RUN_TIMEOUT_MS = 120_000;

/** serverless.yml of the example, set up for `cli` against the server on `port`. */
function serviceConfig(text, cli, port, edit) {
  const doc = YAML.parseDocument(text);
  if (CLIS[cli].localstack) {
    // serverless v3's schema predates nodejs22.x (moto refuses to create the older runtimes,
    // but v3 cannot deploy to moto anyway): keep its validation quiet.
    doc.setIn(['provider', 'runtime'], 'nodejs20.x');
    doc.setIn(['custom', 'localstack', 'edgePort'], port);
    doc.setIn(['custom', 'localstack', 'stages'], doc.createNode(STAGES, { flow: true }));
  } else {
    // osls has no AWS SDK v2 surface for serverless-localstack to patch, and needs none.
    const plugins = doc.get('plugins');
    plugins.items = plugins.items.filter((item) => item.value !== 'serverless-localstack');
    doc.deleteIn(['custom', 'localstack']);
  }
  if (edit) edit(doc);
  return doc.toString();
}

/**
 * Environment of a CLI run: the base user's keys and the local endpoint from `aws.env`, a home
 * of its own (no ~/.aws, ~/.serverless or framework state from the machine), no phoning home,
 * no colours, and no access-roles settings leaking in from the test runner's environment.
 */
function cliEnv(aws, { home, cacheDir }, extra) {
  return {
    ...process.env,
    ...aws.env,
    HOME: home,
    USERPROFILE: home,
    // The plugin's disk cache of assumed keys, one per service: tests do not share keys.
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: cacheDir,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_TRACKING_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    // Stack status polls: moto answers at once, the default 5 s wait only slows deploys down.
    SLS_AWS_MONITORING_FREQUENCY: '500',
    SERVERLESS_PLATFORM_STAGE: undefined,
    SERVERLESS_ACCESS_KEY: undefined,
    SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
    SERVERLESS_ACCESS_ROLES_DISABLE: undefined,
    // A runner started inside `exec` or a hook: its session is not the service's.
    SERVERLESS_ACCESS_ROLES_SESSION: undefined,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // The AWS SDKs' end-of-support notices are process warnings; they would bury the output.
    NODE_NO_WARNINGS: '1',
    ...extra,
  };
}

/** Runs `node bin args` in `cwd`; resolves with the exit code and output, never rejects on exit. */
function runNode(bin, args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = ''; // both, in the order they arrived
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `killed by ${signal}` : code, stdout, stderr, output });
    });
  });
}

/**
 * Runs `node bin args` on a pseudo-terminal (./terminal.js), so stdin, stdout and stderr are
 * TTYs as on a developer's terminal. Both streams arrive merged in `output`, with CRLF line
 * ends. Once `output` matches `prompt`, writes `answer` and a return.
 */
function runNodeInTerminal(bin, args, { cwd, env, prompt, answer }) {
  let answered = false;
  return runInTerminal([process.execPath, bin, ...args], {
    cwd,
    env,
    timeoutMs: RUN_TIMEOUT_MS,
    onOutput: (output, terminal) => {
      if (!answered && prompt && prompt.test(output)) {
        answered = true;
        terminal.type(`${answer}\r`);
      }
    },
  });
}

/**
 * A home directory for CLI runs, with no ~/.aws or other state from the machine. Services of
 * one test file can share it: both CLIs compile their configuration schema into
 * ~/.serverless/artifacts on a first run (about 8 s) and reuse it afterwards.
 *
 * @returns {Promise<{ dir: string, remove: () => Promise<void> }>}
 */
async function createHome() {
  // The real path: on macOS the temporary directory is behind the /var -> /private/var link.
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'access-roles-home-')));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * Copies examples/ to a temporary service directory set up for one CLI.
 *
 * @param {Awaited<ReturnType<import('./localaws').startLocalAws>>} aws the running server
 * @param {'serverless' | 'osls'} cli which CLI the service is for
 * @param {{ home?: { dir: string }, edit?: (doc: import('yaml').Document) => void,
 *   store?: string | null, pkg?: string }} [options] `home` from createHome (default: a home of
 *   its own); `edit` changes serverless.yml; `store` replaces access-roles.yml (null deletes it);
 *   `pkg` is the package directory installed as serverless-access-roles (default: the checkout)
 * @returns {Promise<{ dir: string, cacheDir: string, cli: string, label: string,
 *   run: (args: string[], options?: { env?: Record<string, string | undefined> }) =>
 *     Promise<{ code: number | string, stdout: string, stderr: string, output: string }>,
 *   runInTerminal: (args: string[], options: { env?: object, prompt?: RegExp, answer?: string }) =>
 *     Promise<{ code: number | string, output: string }>,
 *   runBin: (args: string[], options?: { env?: Record<string, string | undefined> }) =>
 *     Promise<{ code: number | string, stdout: string, stderr: string, output: string }>,
 *   readStore: () => Promise<string>, readConfig: () => Promise<string>,
 *   writeConfig: (text: string) => Promise<void>, remove: () => Promise<void> }>}
 */
async function createService(aws, cli, { home, edit, store, pkg = ROOT } = {}) {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), `access-roles-${cli}-`)));
  const dir = path.join(root, 'service');
  const dirs = { home: home ? home.dir : path.join(root, 'home'), cacheDir: path.join(root, 'cache') };
  await fs.mkdir(path.join(dir, 'node_modules'), { recursive: true });
  await fs.mkdir(dirs.home, { recursive: true });
  await fs.copyFile(path.join(EXAMPLE, 'handler.js'), path.join(dir, 'handler.js'));
  const config = await fs.readFile(path.join(EXAMPLE, 'serverless.yml'), 'utf8');
  await fs.writeFile(path.join(dir, 'serverless.yml'), serviceConfig(config, cli, aws.port, edit));
  if (store !== null) {
    const storeText = store === undefined ? await fs.readFile(path.join(EXAMPLE, 'access-roles.yml'), 'utf8') : store;
    await fs.writeFile(path.join(dir, 'access-roles.yml'), storeText);
  }
  // Installed as a user would have it: the package and serverless-localstack in node_modules.
  await fs.symlink(pkg, path.join(dir, 'node_modules', 'serverless-access-roles'), 'dir');
  if (CLIS[cli].localstack) {
    await fs.symlink(
      path.dirname(require.resolve('serverless-localstack/package.json')),
      path.join(dir, 'node_modules', 'serverless-localstack'),
      'dir',
    );
  }
  return {
    dir,
    cacheDir: dirs.cacheDir,
    cli,
    label: CLIS[cli].label,
    run: (args, { env } = {}) => runNode(CLIS[cli].bin, args, { cwd: dir, env: cliEnv(aws, dirs, env) }),
    runInTerminal: (args, { env, prompt, answer } = {}) =>
      runNodeInTerminal(CLIS[cli].bin, args, { cwd: dir, env: cliEnv(aws, dirs, env), prompt, answer }),
    // `serverless-access-roles args` in the service, in the same environment as the CLI.
    runBin: (args, { env } = {}) => runNode(ACCESS_ROLES_BIN, args, { cwd: dir, env: cliEnv(aws, dirs, env) }),
    readStore: () => fs.readFile(path.join(dir, 'access-roles.yml'), 'utf8'),
    readConfig: () => fs.readFile(path.join(dir, 'serverless.yml'), 'utf8'),
    writeConfig: (text) => fs.writeFile(path.join(dir, 'serverless.yml'), text),
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/**
 * Runs `args` in `service` and asserts its exit status (0, or anything else with `ok: false`),
 * showing the output when it is not as expected, and that the output holds none of the seed's
 * secret keys.
 *
 * @param {Awaited<ReturnType<import('./localaws').startLocalAws>>} aws the running server
 * @param {Awaited<ReturnType<typeof createService>>} service
 * @param {string[]} args
 * @param {{ ok?: boolean, env?: Record<string, string | undefined> }} [options]
 */
async function runChecked(aws, service, args, { ok = true, env } = {}) {
  const result = await service.run(args, { env });
  const shown = `${service.label} ${args.join(' ')} exited ${result.code}:\n${result.output}`;
  if (ok) assert.equal(result.code, 0, shown);
  else assert.notEqual(result.code, 0, shown);
  for (const secret of [aws.seed.baseUser.secretAccessKey, aws.seed.adminUser.secretAccessKey]) {
    assert.ok(!result.output.includes(secret), `a secret key printed by ${service.label} ${args.join(' ')}`);
  }
  return result;
}

/**
 * Runs `body` on a fresh copy of the example service (createService's `options`), removed
 * afterwards.
 */
async function withExampleService(aws, cli, options, body) {
  const service = await createService(aws, cli, options);
  try {
    await body(service);
  } finally {
    await service.remove();
  }
}

module.exports = { createService, createHome, runChecked, withExampleService, CLIS, STAGES };
