'use strict';
// Installs the package as a new user would, and runs it: `npm pack`s the main package and the
// linux-x64-gnu platform package, installs both tarballs with serverless@3 and
// serverless-localstack into a fresh sample service in a temporary directory, starts the local
// AWS server (moto, IAM enforced; __test__/helpers/localaws.js) and follows the README's quick
// start there: `access-role link --create --dry-run`, `access-role link --create` (as the
// server's admin, `--aws-profile admin`, trusting the base user), `access-role test`, then
// `access-role link --role-arn` and `serverless info` on the role. The repository is left as it was.
//
//   node scripts/pack-install.js             # uses the addon at the repo root, building a debug one if none
//   node scripts/pack-install.js --release   # builds the release addon first
//   node scripts/pack-install.js --cross     # builds what ships (release, napi-rs cross toolchain,
//                                            # glibc 2.17 baseline) first, and checks its baseline
//   node scripts/pack-install.js --prebuilt  # the shipped build already at the repo root (CI's
//                                            # downloaded artifact): builds nothing, fails if it is
//                                            # missing, and checks its baseline
//   node scripts/pack-install.js --keep      # keeps the temporary directory to look around
//   node scripts/pack-install.js --help      # these flags (__test__/workflows.test.js reads them)
//
// Needs the venv from `bash scripts/setup-python.sh` and the npm registry (no GitHub).

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const semver = require('semver');

const ROOT = path.resolve(__dirname, '..');
const PKG = require(path.join(ROOT, 'package.json'));
const PLATFORM = 'linux-x64-gnu';
const ADDON = `${PKG.napi.binaryName}.${PLATFORM}.node`;
// The versions the test suites pin, so the npm cache usually has them.
const SERVERLESS = `serverless@${PKG.devDependencies.serverless}`;
const LOCALSTACK = `serverless-localstack@${PKG.devDependencies['serverless-localstack']}`;
const STAGE = 'dev';
const ACCOUNT = '123456789012';
const RUN_TIMEOUT_MS = 180_000;
/** The oldest glibc the linux-x64-gnu build must load on (Amazon Linux 2, CodeBuild). */
const GLIBC_BASELINE = '2.17';

/**
 * What a published tarball must hold, and what it must not: of examples/, only the hook example
 * the README tells users to copy ships.
 */
const REQUIRED_FILES = [
  'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'index.js', 'index.d.ts', 'binding.js', 'binding.d.ts', 'lib/native.js',
  'examples/access-role-hook.js',
];
const FORBIDDEN_FILES = [
  /\.node$/, /^__test__\//, /^crates\//, /^src\//, /^target\//, /^npm\//, /^scripts\//, /^examples\/(?!access-role-hook\.js$)/,
  /^\.github\//, /Cargo\.(toml|lock)$/,
];
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/** The flags, with what `--help` says of each; anything else is a usage error. */
const FLAGS = {
  release: 'build the release addon first',
  cross: 'build what ships (release, napi-rs cross toolchain) first, and check its glibc baseline',
  prebuilt: 'use the shipped build already at the repo root (build nothing, fail if missing), and check its glibc baseline',
  keep: 'keep the temporary directory',
  help: 'print this and exit',
};

function usage() {
  const lines = Object.entries(FLAGS).map(([flag, what]) => `  --${flag.padEnd(9)} ${what}`);
  return `usage: node scripts/pack-install.js [flags]\n${lines.join('\n')}\n`;
}

/** The flags given, as `{ cross: true, … }`; exits 2 on an unknown flag or a clash. */
function readFlags(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'boolean' }])) }));
  } catch (err) {
    process.stderr.write(`pack-install: ${err.message}\n${usage()}`);
    process.exit(2);
  }
  const builds = ['release', 'cross', 'prebuilt'].filter((f) => values[f]);
  if (builds.length > 1) {
    process.stderr.write(`pack-install: --${builds.join(' and --')} exclude each other\n${usage()}`);
    process.exit(2);
  }
  return values;
}

const flags = readFlags(process.argv.slice(2));
if (flags.help) {
  process.stdout.write(usage());
  process.exit(0);
}

function log(message) {
  console.log(`pack-install: ${message}`);
}

/** Runs a command, echoing it; returns its stdout. */
function sh(cmd, cmdArgs, options = {}) {
  log(`$ ${[cmd, ...cmdArgs].join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  return execFileSync(cmd, cmdArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, ...options });
}

/** `npm pack --json` in `dir` into `dest`; returns { filename, files }. */
function pack(dir, dest) {
  const [result] = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir }));
  return { filename: path.join(dest, result.filename), files: result.files.map((f) => f.path).sort(), size: result.size };
}

/**
 * The main package as `napi prepublish` publishes it: the repo's `npm pack`, with every npm/*
 * platform package added to optionalDependencies at the exact version.
 */
function packMain(stage, dest) {
  fs.mkdirSync(stage, { recursive: true });
  const raw = pack(ROOT, stage);
  sh('tar', ['-xzf', raw.filename, '-C', stage]);
  const manifestPath = path.join(stage, 'package', 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.optionalDependencies = Object.fromEntries(
    fs.readdirSync(path.join(ROOT, 'npm')).sort().map((suffix) => [`${PKG.name}-${suffix}`, PKG.version]),
  );
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return pack(path.join(stage, 'package'), dest);
}

function checkMainTarball({ files }) {
  const missing = REQUIRED_FILES.filter((f) => !files.includes(f));
  const forbidden = files.filter((f) => FORBIDDEN_FILES.some((re) => re.test(f)));
  if (missing.length || forbidden.length) {
    throw new Error(`main tarball: missing ${JSON.stringify(missing)}, must not contain ${JSON.stringify(forbidden)}`);
  }
}

/** Neither package may need an install script: npm 11 runs none without approval. */
function checkNoInstallScripts(manifest, label) {
  const found = INSTALL_SCRIPTS.filter((s) => manifest.scripts && manifest.scripts[s]);
  if (found.length) throw new Error(`${label} declares install scripts: ${found.join(', ')}`);
}

/** The addon and its generated loader at the repo root; builds them when missing. */
function ensureAddon() {
  const present = (f) => fs.existsSync(path.join(ROOT, f));
  if (flags.prebuilt) {
    const missing = [ADDON, 'binding.js', 'binding.d.ts'].filter((f) => !present(f));
    if (missing.length) throw new Error(`--prebuilt: ${missing.join(', ')} not found at the repo root`);
    return;
  }
  if (flags.cross) sh('npm', ['run', 'build:cross'], { cwd: ROOT, stdio: 'inherit' });
  else if (flags.release) sh('npx', ['napi', 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (!present(ADDON) || !present('binding.js') || !present('binding.d.ts')) {
    sh('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** The newest glibc symbol version the addon needs (`objdump -T`), e.g. `2.15`. */
function newestGlibc(file) {
  const versions = [...sh('objdump', ['-T', file]).matchAll(/GLIBC_(\d+(?:\.\d+)*)/g)].map((m) => m[1]);
  return versions.sort((a, b) => semver.rcompare(semver.coerce(a), semver.coerce(b)))[0];
}

/** npm/linux-x64-gnu staged outside the repo with the addon in it, as `napi prepublish` would. */
function stagePlatformPackage(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(path.join(ROOT, 'npm', PLATFORM))) {
    fs.copyFileSync(path.join(ROOT, 'npm', PLATFORM, f), path.join(dir, f));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (manifest.version !== PKG.version) throw new Error(`npm/${PLATFORM} is at ${manifest.version}, the main package at ${PKG.version}: run \`npx napi version\``);
  checkNoInstallScripts(manifest, `npm/${PLATFORM}`);
  // A debug build carries ~180 MB of debug info; users get a stripped release build.
  try {
    execFileSync('strip', ['--strip-debug', '-o', path.join(dir, ADDON), path.join(ROOT, ADDON)]);
  } catch {
    fs.copyFileSync(path.join(ROOT, ADDON), path.join(dir, ADDON));
  }
  return manifest;
}

/**
 * The sample service: examples/ with the plugin, as the quick start's step 1 sets it up, and no
 * profile store yet (step 3 writes it).
 */
function createService(dir, port) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['serverless.yml', 'handler.js']) {
    fs.copyFileSync(path.join(ROOT, 'examples', f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'payments', private: true }, null, 2)}\n`);
  const config = fs.readFileSync(path.join(dir, 'serverless.yml'), 'utf8');
  if (!/^ {2}- serverless-access-roles$/m.test(config) || !/edgePort:/.test(config)) {
    throw new Error('examples/serverless.yml no longer lists the plugin or custom.localstack.edgePort');
  }
  return { LOCAL_AWS_PORT: String(port) };
}

/** What `serverless deploy` would have left for the stage; `info` only reads it. */
async function createStack(aws) {
  const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
  const { CloudFormationClient, CreateStackCommand } = require('@aws-sdk/client-cloudformation');
  const opts = { endpoint: aws.endpoint, region: aws.seed.region, maxAttempts: 1 };
  const base = { accessKeyId: aws.seed.baseUser.accessKeyId, secretAccessKey: aws.seed.baseUser.secretAccessKey };
  const { Credentials: c } = await new STSClient({ ...opts, credentials: base }).send(
    new AssumeRoleCommand({ RoleArn: aws.seed.roles.deploy, RoleSessionName: 'pack-install' }),
  );
  const keys = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  await new CloudFormationClient({ ...opts, credentials: keys }).send(
    new CreateStackCommand({
      StackName: `payments-${STAGE}`,
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: { ServerlessDeploymentBucketName: { Value: `payments-${STAGE}-serverlessdeploymentbucket` } },
      }),
    }),
  );
}

/** Runs the service's own serverless CLI; resolves with code and output. */
function serverless(service, cliArgs, env) {
  log(`$ serverless ${cliArgs.join(' ')}`);
  const bin = path.join(service, 'node_modules', 'serverless', 'bin', 'serverless.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...cliArgs], { cwd: service, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      process.stdout.write(`${output.trimEnd().replace(/^/gm, '  | ')}\n`);
      resolve({ code: signal ? `killed by ${signal}` : code, output });
    });
  });
}

function expect(result, what, patterns) {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}`);
  for (const re of patterns) if (!re.test(result.output)) throw new Error(`${what}: output does not match ${re}`);
}

async function main() {
  checkNoInstallScripts(PKG, 'package.json');
  ensureAddon();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sar-pack-install-'));
  let aws;
  try {
    const tarballs = path.join(tmp, 'tarballs');
    fs.mkdirSync(tarballs);
    const main = packMain(path.join(tmp, 'main'), tarballs);
    log(`main tarball ${path.basename(main.filename)} (${main.size} bytes): ${main.files.join(' ')}`);
    checkMainTarball(main);
    stagePlatformPackage(path.join(tmp, PLATFORM));
    const glibc = newestGlibc(path.join(tmp, PLATFORM, ADDON));
    log(`newest glibc symbol of the addon: GLIBC_${glibc}`);
    if ((flags.cross || flags.prebuilt) && semver.gt(semver.coerce(glibc), semver.coerce(GLIBC_BASELINE))) {
      throw new Error(`the build needs GLIBC_${glibc}, newer than the ${GLIBC_BASELINE} baseline it ships for`);
    }
    const platform = pack(path.join(tmp, PLATFORM), tarballs);
    log(`platform tarball ${path.basename(platform.filename)} (${platform.size} bytes): ${platform.files.join(' ')}`);

    const { startLocalAws, adminProfile } = require(path.join(ROOT, '__test__', 'helpers', 'localaws.js'));
    aws = await startLocalAws();
    log(`local AWS on ${aws.endpoint}`);
    const service = path.join(tmp, 'service');
    const serviceEnv = createService(service, aws.port);
    const home = path.join(tmp, 'home');
    // The server's admin as the AWS profile `admin`, as `node __test__/helpers/localaws.js` sets it up.
    const credentials = path.join(home, '.aws', 'credentials');
    fs.mkdirSync(path.dirname(credentials), { recursive: true });
    fs.writeFileSync(credentials, adminProfile(aws.seed), { mode: 0o600 });

    // A new user's install: the registry for everything but our two tarballs, no install scripts.
    sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--save-dev',
      '--no-update-notifier', main.filename, platform.filename, SERVERLESS, LOCALSTACK], { cwd: service, stdio: 'inherit' });
    const installed = path.join(service, 'node_modules', `${PKG.name}-${PLATFORM}`, ADDON);
    if (!fs.existsSync(installed)) throw new Error(`${installed} was not installed`);

    await createStack(aws);
    const env = {
      ...process.env,
      ...aws.env,
      ...serviceEnv,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      HOME: home,
      USERPROFILE: home,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_INTERACTIVE_SETUP_DISABLE: '1',
      SERVERLESS_ACCESS_ROLES_CONFIG: undefined,
      SERVERLESS_ACCESS_ROLES_DISABLE: undefined,
      NAPI_RS_NATIVE_LIBRARY_PATH: undefined,
      NO_COLOR: '1',
      NODE_NO_WARNINGS: '1',
    };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

    // The README's quick start, step by step, with its exact commands (steps 2 to 4).
    const role = `arn:aws:iam::${ACCOUNT}:role/serverless-access-role-sandbox`;
    const store = path.join(service, 'access-roles.yml');
    const dry = await serverless(service, ['access-role', 'link', '--create', '--profile', 'sandbox', '--dry-run'], env);
    expect(dry, 'step 2: serverless access-role link --create --profile sandbox --dry-run', [/^Dry run: no AWS call/m, /^Stack: +serverless-access-role-sandbox /m]);
    if (fs.existsSync(store)) throw new Error('step 2 (--dry-run) wrote access-roles.yml');
    const link = await serverless(service, ['access-role', 'link', '--create', '--profile', 'sandbox', '--aws-profile', 'admin', '--principal', aws.seed.baseUser.arn], env);
    expect(link, 'step 3: serverless access-role link --create --profile sandbox', [
      new RegExp(`^Stack serverless-access-role-sandbox: created, role ${role}`, 'm'),
      new RegExp(`^Created ${store}`, 'm'),
      /that identity checks it with serverless access-role test$/m,
    ]);
    const test = await serverless(service, ['access-role', 'test'], env);
    expect(test, 'step 4: serverless access-role test', [/^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-access-role-sandbox\//m, /^The framework uses the access role\.$/m]);
    // moto answers INTERNAL SERVER ERROR to CloudFormation calls on the role its CloudFormation
    // made; the seeded deploy role works, so `info` runs on that one, re-linked as a user would.
    const deployRole = aws.seed.roles.deploy;
    const relink = await serverless(service, ['access-role', 'link', '--profile', 'sandbox', '--role-arn', deployRole], env);
    expect(relink, 'serverless access-role link --role-arn', [new RegExp(`profile "sandbox": roleArn ${role} → ${deployRole}`)]);
    const info = await serverless(service, ['info', '--stage', STAGE], env);
    expect(info, 'serverless info', [/service: payments/, new RegExp(`stage: ${STAGE}`), new RegExp(`Access role: payments/${STAGE} → profile "sandbox" \\([^)]+\\) → ${deployRole};`)]);
    const outputs = [dry, link, test, relink, info].map((r) => r.output).join('\n');
    if ([aws.seed.baseUser.secretAccessKey, aws.seed.adminUser.secretAccessKey].some((secret) => outputs.includes(secret))) {
      throw new Error('a secret key was printed');
    }
    console.log('pack-install: 5 passed, 0 failed');
  } finally {
    if (aws) await aws.stop();
    if (flags.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`pack-install: FAILED: ${err.message}`);
  console.log('pack-install: 0 passed, 1 failed');
  process.exit(1);
});
