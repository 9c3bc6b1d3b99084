'use strict';
// `serverless-access-roles profiles` run as a real process: the AWS config profiles it prints and
// merges into a real ~/.aws/config in a throw-away HOME, then used by the aws CLI against moto
// with IAM enforced.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { useLocalAwsAndDir, userEnv } = require('./helpers/harness');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'serverless-access-roles.js');
const AWS_CLI = path.join(ROOT, '.venv', 'bin', 'aws');

let aws;
let dir;

useLocalAwsAndDir('sar-profiles-', (started) => {
  ({ aws, dir } = started);
});

/**
 * A fresh directory with a HOME, a service directory (named `serviceName`) holding `store`, and a cache.
 */
function workspace(store, serviceName = 'service') {
  const root = fs.mkdtempSync(path.join(dir, 'ws-'));
  const home = path.join(root, 'home');
  const service = path.join(root, serviceName);
  fs.mkdirSync(home);
  fs.mkdirSync(service);
  const storePath = path.join(service, 'access-roles.yml');
  fs.writeFileSync(storePath, store);
  const configFile = path.join(home, '.aws', 'config');
  return { root, home, service, storePath, configFile, cacheDir: path.join(root, 'cache') };
}

/** The store: payments dev and prod mapped, an app default, and one profile naming a region. */
function storeText() {
  return `profiles:
  sandbox:
    roleArn: ${aws.seed.roles.deploy}
    region: ${aws.seed.region}
  production:
    roleArn: ${aws.seed.roles.denied}
apps:
  payments:
    defaultProfile: sandbox
    stages:
      dev: sandbox
      prod: production
`;
}

/**
 * A child's environment: the base user's keys against moto, HOME from `ws`, and the AWS SDKs'
 * own config file choice (~/.aws/config in that HOME), with `extra` on top.
 */
function childEnv(ws, extra = {}) {
  const env = userEnv(aws, ws.home, {
    AWS_CONFIG_FILE: undefined,
    AWS_SHARED_CREDENTIALS_FILE: undefined,
    SERVERLESS_ACCESS_ROLES_CACHE_DIR: ws.cacheDir,
    ...extra,
  });
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** Runs `file args` in the service directory of `ws`; resolves with status and outputs. */
function run(ws, file, args, extraEnv) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: childEnv(ws, extraEnv), cwd: ws.service, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

const profiles = (ws, args, env) => run(ws, process.execPath, [BIN, 'profiles', ...args], env);

const callerIdentity = (ws, profile) =>
  run(ws, AWS_CLI, ['sts', 'get-caller-identity', '--profile', profile, '--endpoint-url', aws.endpoint, '--output', 'json']);

const USER_CONFIG = `# my own settings, kept as they are
[default]
region = eu-west-1   ; trailing comment

[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
`;

test('--write puts the profiles into ~/.aws/config and the aws CLI answers as the role through them', async () => {
  const ws = workspace(storeText());
  fs.mkdirSync(path.dirname(ws.configFile));
  fs.writeFileSync(ws.configFile, USER_CONFIG);
  fs.chmodSync(ws.configFile, 0o640);

  const written = await profiles(ws, ['--write']);
  assert.equal(written.status, 0, written.stderr);
  assert.equal(written.stderr, '');
  assert.match(written.stdout, new RegExp(`^Wrote 3 profiles to ${ws.configFile}: payments, payments-dev, payments-prod\n`));

  const text = fs.readFileSync(ws.configFile, 'utf8');
  assert.ok(text.startsWith(`${USER_CONFIG}\n# >>> serverless-access-roles profiles from ${ws.storePath}\n`), text);
  // node by its absolute path: a GUI app's PATH may hold no node for the bin's shebang.
  const command = `${process.execPath} ${BIN} credential-process --app payments --stage dev --config ${ws.storePath}`;
  assert.ok(text.includes(`[profile payments-dev]\ncredential_process = ${command}\nregion = ${aws.seed.region}\n`), text);
  assert.ok(text.includes('[profile payments]\ncredential_process = '), text);
  assert.ok(text.includes(`[profile payments-prod]\ncredential_process = ${process.execPath} ${BIN} credential-process --app payments --stage prod --config ${ws.storePath}\n#`), 'no region where the profile names none');
  assert.equal(fs.statSync(ws.configFile).mode & 0o777, 0o640, 'the mode is kept');

  const dev = await callerIdentity(ws, 'payments-dev');
  assert.equal(dev.status, 0, dev.stderr);
  assert.match(JSON.parse(dev.stdout).Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev$/);
  const appDefault = await callerIdentity(ws, 'payments');
  assert.equal(appDefault.status, 0, appDefault.stderr);
  assert.match(JSON.parse(appDefault.stdout).Arn, /assumed-role\/serverless-deploy\/.+-payments-default$/);
  const prod = await callerIdentity(ws, 'payments-prod');
  assert.notEqual(prod.status, 0, 'payments-prod maps to a role that does not trust the base user');
  assert.match(prod.stderr, /E_ACCESS_DENIED/);
});

test('AWS_PROFILE=payments-dev with your keys in [default]: the aws CLI and an SDK v3 client answer as the role', async () => {
  // As the README shows it: profiles --write, then AWS_PROFILE names a written profile. The bin,
  // run as that profile's credential_process with AWS_PROFILE still set, takes its base identity
  // from the rest of the default chain: the [default] keys in ~/.aws/credentials.
  const ws = workspace(storeText());
  assert.equal((await profiles(ws, ['--write'])).status, 0);
  fs.writeFileSync(
    path.join(ws.home, '.aws', 'credentials'),
    `[default]\naws_access_key_id = ${aws.seed.baseUser.accessKeyId}\naws_secret_access_key = ${aws.seed.baseUser.secretAccessKey}\n`,
  );
  const env = { AWS_PROFILE: 'payments-dev', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
  const cli = await run(ws, AWS_CLI, ['sts', 'get-caller-identity', '--output', 'json'], env);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(JSON.parse(cli.stdout).Arn, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev$/);

  // The default chain of SDK v3, which Serverless v4 and CDK use.
  const script = `const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
    new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn), (e) => { console.error(e.message); process.exit(1); });`;
  const sdk = await run(ws, process.execPath, ['-e', script], { ...env, NODE_PATH: path.join(ROOT, 'node_modules') });
  assert.equal(sdk.status, 0, sdk.stderr);
  assert.match(sdk.stdout, /^arn:aws:sts::123456789012:assumed-role\/serverless-deploy\/.+-payments-dev\n$/);
});

test('a store behind spaces, # and ; and quotes: the aws CLI and SDK v3 read the same line, and both run it', async () => {
  // SDK v3's parser (and the Rust and Go SDKs') cuts a value at " #" or " ;", quoted or not;
  // botocore keeps it. The written line has neither, and still names the same path.
  const ws = workspace(storeText(), "it's #1 ;b \u00a0#c");
  const written = await profiles(ws, ['--write']);
  assert.equal(written.status, 0, written.stderr);
  const line = fs.readFileSync(ws.configFile, 'utf8').match(/^\[profile payments-dev\]\ncredential_process = (.*)$/m)[1];
  assert.ok(line.endsWith(`--config '${ws.storePath.replace(/'/g, "'\\''").replace(/(\s)([#;])/g, "$1''$2")}'`), line);

  const botocore = await run(ws, AWS_CLI, ['configure', 'get', 'credential_process', '--profile', 'payments-dev']);
  assert.equal(botocore.stdout, `${line}\n`, botocore.stderr);
  const script = `require('@smithy/core/config').loadSharedConfigFiles({ ignoreCache: true }).then(
    (files) => console.log(files.configFile['payments-dev'].credential_process));`;
  const sdkV3 = await run(ws, process.execPath, ['-e', script], { NODE_PATH: path.join(ROOT, 'node_modules') });
  assert.equal(sdkV3.stdout, `${line}\n`, sdkV3.stderr);

  const cli = await callerIdentity(ws, 'payments-dev');
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(JSON.parse(cli.stdout).Arn, /assumed-role\/serverless-deploy\/.+-payments-dev$/);
  // SDK v3's credential_process provider, as CDK, osls and Serverless v4 reach it.
  const client = `const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
    const { fromProcess } = require('@aws-sdk/credential-provider-process');
    new STSClient({ credentials: fromProcess({ profile: 'payments-dev' }) }).send(new GetCallerIdentityCommand({}))
      .then((r) => console.log(r.Arn), (e) => { console.error(e.message); process.exit(1); });`;
  const sdk = await run(ws, process.execPath, ['-e', client], { NODE_PATH: path.join(ROOT, 'node_modules'), NODE_NO_WARNINGS: '1' });
  assert.equal(sdk.status, 0, sdk.stderr);
  assert.match(sdk.stdout, /assumed-role\/serverless-deploy\/.+-payments-dev\n$/);
});

test('a second --write leaves the file byte-identical and unwritten', async () => {
  const ws = workspace(storeText());
  assert.equal((await profiles(ws, ['--write'])).status, 0);
  const first = fs.readFileSync(ws.configFile);
  const { mtimeMs, ino } = fs.statSync(ws.configFile);
  const again = await profiles(ws, ['--write']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^${ws.configFile} is up to date, 3 profiles: `));
  assert.deepEqual(fs.readFileSync(ws.configFile), first);
  const after = fs.statSync(ws.configFile);
  assert.deepEqual([after.mtimeMs, after.ino], [mtimeMs, ino], 'not even rewritten');
});

test('a new config file is 0600 in a 0700 ~/.aws; other stores, your sections and comments stay byte for byte', async () => {
  const ws = workspace(storeText());
  assert.equal((await profiles(ws, ['--write'])).status, 0);
  assert.equal(fs.statSync(ws.configFile).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(ws.configFile)).mode & 0o777, 0o700);

  // The user adds text around the block, and their own payments-prod; another store adds its block.
  const other = workspace(storeText().replace(/payments/g, 'billing'));
  const printed = await profiles(other, []);
  assert.equal(printed.status, 0, printed.stderr);
  const ours = fs.readFileSync(ws.configFile, 'utf8');
  const before = `; CRLF and odd spacing are kept\r\n[ profile payments-prod ]\r\nregion=us-west-2\r\n\r\n`;
  const after = `\n[profile after]\n# a comment after the block\nregion = eu-central-1`;
  fs.writeFileSync(ws.configFile, `${before}${ours}${printed.stdout}${after}`);

  // The store changes: dev goes, qa comes.
  fs.writeFileSync(ws.storePath, storeText().replace('      dev: sandbox', '      qa: sandbox'));
  const rewritten = await profiles(ws, ['--write']);
  assert.equal(rewritten.status, 0, rewritten.stderr);
  assert.equal(rewritten.stderr, `serverless-access-roles: kept your own [profile payments-prod] in ${ws.configFile}; not written\n`);
  assert.match(rewritten.stdout, /^Wrote 2 profiles to .+: payments, payments-qa\n/);
  const text = fs.readFileSync(ws.configFile, 'utf8');
  assert.ok(text.startsWith(`${before}# >>> serverless-access-roles profiles from ${ws.storePath}\n`), text);
  assert.ok(text.endsWith(`# <<< serverless-access-roles profiles from ${ws.storePath}\n${printed.stdout}${after}`), text);
  assert.ok(text.includes('[profile payments-qa]') && !text.includes('[profile payments-dev]'), text);
  assert.ok(!text.includes('[profile payments-prod]\n'), 'the user\'s own profile wins');
});

test('without --write it prints the block and writes nothing; --prefix starts every name', async () => {
  const ws = workspace(storeText());
  const { status, stdout, stderr } = await profiles(ws, ['--prefix', 'acme-']);
  assert.equal(status, 0, stderr);
  assert.equal(fs.existsSync(ws.configFile), false);
  const names = [...stdout.matchAll(/^\[profile (.+)\]$/gm)].map((m) => m[1]);
  assert.deepEqual(names, ['acme-payments', 'acme-payments-dev', 'acme-payments-prod']);
  assert.match(stdout, /^# >>> serverless-access-roles profiles from .+\n# Written by/);

  // A relative --config: the lines carry the absolute store path.
  const fromRoot = await profiles(ws, ['--config', '../service/access-roles.yml']);
  assert.equal(fromRoot.status, 0, fromRoot.stderr);
  assert.ok(fromRoot.stdout.includes(`--config ${ws.storePath}\n`), fromRoot.stdout);
});

test('--stages writes APP-STAGE for stages the app does not map: payments-${sls:stage} works for each through the aws CLI', async () => {
  const ws = workspace(storeText());
  const written = await profiles(ws, ['--write', '--stages', 'dev, staging,qa']);
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, /^Wrote 5 profiles to .*: payments, payments-dev, payments-prod, payments-qa, payments-staging\n/);
  const text = fs.readFileSync(ws.configFile, 'utf8');
  assert.ok(text.includes(`[profile payments-staging]\ncredential_process = ${process.execPath} ${BIN} credential-process --app payments --stage staging --config ${ws.storePath}\nregion = ${aws.seed.region}\n`), text);
  const staging = await callerIdentity(ws, 'payments-staging');
  assert.equal(staging.status, 0, staging.stderr);
  assert.match(JSON.parse(staging.stdout).Arn, /assumed-role\/serverless-deploy\/.+-payments-staging$/, 'the session names the stage deployed');
  const bad = await profiles(ws, ['--stages', 'dev,,prod']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^serverless-access-roles: E_INVALID_ARGUMENT: invalid stages/);
  // An app with no default for the stage: skipped, named, and the others written.
  const noDefault = workspace(storeText().replace('    defaultProfile: sandbox\n', ''));
  const partial = await profiles(noDefault, ['--stages', 'staging']);
  assert.equal(partial.status, 0, partial.stderr);
  assert.match(partial.stderr, /^serverless-access-roles: skipped --stages staging: app `payments` has no profile for stage `staging`/);
  assert.ok(!partial.stdout.includes('[profile payments-staging]'));
});

test('app and stage names that cannot be profile names are skipped with a warning', async () => {
  const ws = workspace(`${storeText()}  web:\n    stages:\n      "my stage": sandbox\n`);
  const { status, stdout, stderr } = await profiles(ws, []);
  assert.equal(status, 0, stderr);
  assert.match(stderr, /^serverless-access-roles: skipped apps\.web\.stages\.my stage: `web-my stage` is not an AWS profile name/);
  assert.doesNotMatch(stdout, /web/);
});

test('errors are one coded line with exit 1; a bad command line is exit 2 with the usage', async () => {
  const ws = workspace(storeText());
  const noStore = await profiles(ws, ['--config', 'missing.yml']);
  assert.equal(noStore.status, 1);
  assert.match(noStore.stderr, /^serverless-access-roles: E_MISSING_STORE: /);
  const badPrefix = await profiles(ws, ['--prefix', 'a b']);
  assert.equal(badPrefix.status, 1);
  assert.match(badPrefix.stderr, /^serverless-access-roles: E_INVALID_ARGUMENT: invalid prefix/);

  fs.mkdirSync(path.dirname(ws.configFile));
  fs.writeFileSync(ws.configFile, `[default]\n# >>> serverless-access-roles profiles from ${ws.storePath}\n[profile payments]\n`);
  const broken = await profiles(ws, ['--write']);
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /^serverless-access-roles: E_AWS_CONFIG_FILE: AWS config file .+: line 2: the block of .+ has no end line/);

  for (const args of [['--colour'], ['extra'], ['--aws-config', 'x']]) {
    const usage = await profiles(ws, args);
    assert.equal(usage.status, 2, args.join(' '));
    assert.match(usage.stderr, /\n\nusage: serverless-access-roles profiles /);
  }
  const help = await profiles(ws, ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: serverless-access-roles profiles /);
});

test('--write changes nothing it would have to replace whole: a pipe, a symlink to nothing, a file with other hard links', async () => {
  const ws = workspace(storeText());
  const pipe = path.join(ws.root, 'pipe-config');
  execFileSync('mkfifo', [pipe]);
  const dangling = path.join(ws.root, 'dangling-config');
  fs.symlinkSync('dotfiles/aws-config', dangling);
  const linked = path.join(ws.root, 'linked-config');
  fs.writeFileSync(linked, USER_CONFIG);
  fs.linkSync(linked, path.join(ws.root, 'dotfiles-config'));
  const refusals = [
    [pipe, /it is a named pipe, not a regular file; nothing was written$/m],
    [dangling, /it is a symlink to dotfiles\/aws-config, which leads to no file; create the file it leads to or remove the link$/m],
    [linked, /it has 2 hard links, and a rewrite would leave the others with the old text/],
  ];
  for (const [config, message] of refusals) {
    const refused = await profiles(ws, ['--write', '--aws-config', config]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /^serverless-access-roles: E_AWS_CONFIG_FILE: AWS config file /);
    assert.match(refused.stderr, message);
  }
  assert.ok(fs.lstatSync(pipe).isFIFO(), 'the pipe is still a pipe');
  assert.ok(fs.lstatSync(dangling).isSymbolicLink(), 'the link is still a link');
  assert.equal(fs.readFileSync(path.join(ws.root, 'dotfiles-config'), 'utf8'), USER_CONFIG);
  assert.equal(fs.statSync(linked).nlink, 2);
});

test('--write by a user who may not write the config, or whose owner it cannot keep, refuses and changes nothing', { skip: process.getuid?.() !== 0 && 'needs root, to run the bin without the powers that let root write any file' }, async () => {
  // Root without the capabilities that let it pass over a file's permissions and owner: the
  // bin is then bound by them as any user is, wherever the checkout is (a user such as nobody
  // may not be able to read it).
  const ws = workspace(storeText());
  const asUser = (config) =>
    run(ws, 'setpriv', ['--bounding-set=-dac_override,-dac_read_search,-chown,-fowner,-fsetid', process.execPath, BIN, 'profiles', '--write', '--aws-config', config]);
  fs.mkdirSync(ws.home, { recursive: true });
  const readOnly = path.join(ws.home, 'read-only-config');
  fs.writeFileSync(readOnly, USER_CONFIG);
  fs.chmodSync(readOnly, 0o444);
  const others = path.join(ws.home, 'others-config');
  fs.writeFileSync(others, USER_CONFIG);
  fs.chmodSync(others, 0o666);
  fs.chownSync(others, 65534, 65534);
  const refusedReadOnly = await asUser(readOnly);
  assert.equal(refusedReadOnly.status, 1, refusedReadOnly.stderr);
  assert.match(refusedReadOnly.stderr, /^serverless-access-roles: E_AWS_CONFIG_FILE: AWS config file .+: cannot write it: Permission denied .*; nothing was changed$/m);
  const refusedOthers = await asUser(others);
  assert.equal(refusedOthers.status, 1, refusedOthers.stderr);
  assert.match(refusedOthers.stderr, /it belongs to user 65534 and group 65534, which a rewrite by this user cannot keep/);
  for (const [config, uid, mode] of [[readOnly, 0, 0o444], [others, 65534, 0o666]]) {
    const after = fs.statSync(config);
    assert.deepEqual([fs.readFileSync(config, 'utf8'), after.uid, after.mode & 0o777], [USER_CONFIG, uid, mode], config);
  }
  assert.deepEqual(fs.readdirSync(ws.home).sort(), ['others-config', 'read-only-config'], 'no temporary file is left');

  // A file with the set-user-ID bit: writing clears it for a process without the power to keep
  // it, so the mode is set after the text, and the bit is kept.
  const setuid = path.join(ws.home, 'setuid-config');
  fs.writeFileSync(setuid, USER_CONFIG);
  fs.chmodSync(setuid, 0o4644);
  const written = await asUser(setuid);
  assert.equal(written.status, 0, written.stderr);
  assert.match(fs.readFileSync(setuid, 'utf8'), /\[profile payments\]/);
  assert.equal(fs.statSync(setuid).mode & 0o7777, 0o4644);
});

test('after the project moves, --write replaces its old block and says so; the aws CLI then works through the new one', async () => {
  const ws = workspace(storeText());
  const oldService = path.join(ws.root, 'mv1');
  fs.renameSync(ws.service, oldService);
  const oldStore = path.join(oldService, 'access-roles.yml');
  assert.equal((await profiles({ ...ws, service: oldService }, ['--write'])).status, 0);
  fs.appendFileSync(ws.configFile, '\n[profile after]\nregion = eu-central-1\n');

  fs.renameSync(oldService, ws.service);
  const moved = await profiles(ws, ['--write']);
  assert.equal(moved.status, 0, moved.stderr);
  assert.equal(moved.stderr, '', 'no profile is taken for the user\'s own');
  assert.match(moved.stdout, new RegExp(`^Replaced the block of ${oldStore} \\(that store is gone: moved or deleted\\)\nWrote 3 profiles to ${ws.configFile}: payments, payments-dev, payments-prod\n`));
  const text = fs.readFileSync(ws.configFile, 'utf8');
  assert.ok(!text.includes(oldStore), text);
  assert.ok(text.startsWith(`# >>> serverless-access-roles profiles from ${ws.storePath}\n`), text);
  assert.ok(text.endsWith(`# <<< serverless-access-roles profiles from ${ws.storePath}\n\n[profile after]\nregion = eu-central-1\n`), text);
  const dev = await callerIdentity(ws, 'payments-dev');
  assert.equal(dev.status, 0, dev.stderr);
});

test('concurrent --write runs of several stores into one AWS config file keep every block', async () => {
  const config = path.join(dir, `shared-config-${process.pid}`);
  for (let round = 0; round < 3; round += 1) {
    const stores = Array.from({ length: 6 }, (_, i) => workspace(storeText().replace(/payments/g, `app${round}x${i}`)));
    const runs = await Promise.all(stores.map((ws) => profiles(ws, ['--write', '--aws-config', config])));
    for (const { status, stderr } of runs) assert.equal(status, 0, stderr);
    const text = fs.readFileSync(config, 'utf8');
    for (const ws of stores) assert.ok(text.includes(`# >>> serverless-access-roles profiles from ${ws.storePath}\n`), `round ${round}: ${ws.storePath}`);
  }
  assert.equal((fs.readFileSync(config, 'utf8').match(/^\[profile /gm) || []).length, 3 * 6 * 3);
});
