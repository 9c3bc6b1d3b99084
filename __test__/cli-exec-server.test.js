'use strict';
// `serverless-access-roles exec --server`: the command gets a credentials endpoint on 127.0.0.1
// instead of keys. The bin runs as a user runs it, against moto with IAM enforced; the aws CLI
// (from the project venv) and SDK v3 children get the role through the endpoint as they would
// from ECS. Refresh is seen through a stand-in STS whose stated expiry runs ahead
// (helpers/sts-ahead.js), not by waiting out a session.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { useLocalAwsAndDir, userEnv } = require('./helpers/harness');
const { assumedKeyIds } = require('./helpers/sts-calls');
const { startStsAhead } = require('./helpers/sts-ahead');

const BIN = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');
const AWS_CLI = path.resolve(__dirname, '..', '.venv', 'bin', 'aws');
const STS_CLIENT = require.resolve('@aws-sdk/client-sts');
const ROLE_SESSION = /^arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/;

let aws;
let dir;
let env;

useLocalAwsAndDir('cli-exec-server-', (started) => {
  ({ aws, dir } = started);
  fs.writeFileSync(
    path.join(dir, 'access-roles.yml'),
    [
      'profiles:',
      '  sandbox:',
      `    roleArn: ${aws.seed.roles.deploy}`,
      '  short:',
      `    roleArn: ${aws.seed.roles.deploy}`,
      '    durationSeconds: 900',
      '  billing:',
      `    roleArn: ${aws.seed.roles.deployExternalId}`,
      `    externalId: ${aws.seed.externalId}`,
      'apps:',
      '  payments: { defaultProfile: sandbox }',
      '  longrun: { defaultProfile: short }',
      '  billing: { defaultProfile: billing }',
      '',
    ].join('\n'),
  );
  env = userEnv(aws, dir);
});

/**
 * Starts `serverless-access-roles args` in the store's directory, with `extraEnv` over the base
 * user's environment. `onStdout(text, child)` sees stdout as it grows; stdin stays open until
 * `input` is given or the run ends. Resolves with status and output.
 */
function bin(args, { input, onStdout, extraEnv } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (onStdout) onStdout(stdout, child);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // The command may outlive exec (SIGKILL) and hold stdout: the status is exec's.
      setTimeout(() => resolve({ code: signal ? `killed by ${signal}` : code, stdout, stderr }), 200);
    });
  });
}

/** `node -e script` as the command exec runs. */
const nodeScript = (script) => ['--', process.execPath, '-e', script];

/** Whether something accepts connections on `uri`'s port of 127.0.0.1. */
function listening(uri) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(uri).port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether process `pid` still runs. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check, what, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const WHOAMI = `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(STS_CLIENT)});
new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn));`;

describe('exec --server', { concurrency: true }, () => {
  test('the aws CLI and an SDK v3 child get the role through the endpoint, with no key variables', async () => {
    const seen = `const e = process.env; console.log(JSON.stringify({ id: e.AWS_ACCESS_KEY_ID ?? null, secret: e.AWS_SECRET_ACCESS_KEY ?? null,
      uri: e.AWS_CONTAINER_CREDENTIALS_FULL_URI, token: e.AWS_CONTAINER_AUTHORIZATION_TOKEN, marker: JSON.parse(e.SERVERLESS_ACCESS_ROLES_SESSION) }));`;
    const [awsCli, node, vars] = await Promise.all([
      bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--', AWS_CLI, 'sts', 'get-caller-identity', '--output', 'json']),
      bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', ...nodeScript(WHOAMI)]),
      bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(seen)]),
    ]);
    assert.equal(awsCli.code, 0, awsCli.stderr);
    assert.match(JSON.parse(awsCli.stdout).Arn, ROLE_SESSION);
    assert.equal(node.code, 0, node.stderr);
    assert.match(node.stdout.trim(), ROLE_SESSION);
    assert.equal(vars.code, 0, vars.stderr);
    const child = JSON.parse(vars.stdout);
    assert.equal(child.id, null, 'no key variables: the base user\'s are gone too');
    assert.equal(child.secret, null);
    assert.match(child.uri, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(child.token.length >= 40, 'a random token');
    assert.equal(child.marker.roleArn, aws.seed.roles.deploy);
    assert.ok(child.marker.endpoint && !child.marker.keys && !child.marker.expiration, JSON.stringify(child.marker));
    assert.ok(!JSON.stringify(child.marker).includes(child.token), 'the marker holds a digest, not the token');
    assert.equal(vars.stderr, '');
  });

  test('a request without the token or with a wrong one gets 403; the token gets the keys', async () => {
    const script = `(async () => {
      const uri = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      const token = process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
      const ask = (headers, method = 'GET') => fetch(uri, { headers, method });
      const none = await ask({});
      const wrong = await ask({ authorization: token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a') });
      const post = await ask({ authorization: token }, 'POST');
      const right = await ask({ authorization: token });
      const keys = await right.json();
      console.log(JSON.stringify({ none: none.status, noneBody: await none.text(), wrong: wrong.status, post: post.status, right: right.status,
        id: keys.AccessKeyId, hasSecret: Boolean(keys.SecretAccessKey && keys.Token), expiration: keys.Expiration }));
    })();`;
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(script)]);
    assert.equal(run.code, 0, run.stderr);
    const seen = JSON.parse(run.stdout);
    assert.equal(seen.none, 403);
    assert.equal(seen.wrong, 403);
    assert.ok(!/ASIA|Token|Secret/.test(seen.noneBody), seen.noneBody);
    assert.equal(seen.post, 405);
    assert.equal(seen.right, 200);
    assert.match(seen.id, /^ASIA/);
    assert.ok(seen.hasSecret);
    assert.ok(new Date(seen.expiration).getTime() > Date.now(), seen.expiration);
  });

  test('a command that outlives its first keys gets new ones with no error, renewed ahead of its request', async () => {
    // STS states 465 s left on each 900-second session: with the refresh margin (half the
    // lifetime, 450 s) the keys are due 15 s after they are handed out, as 435 s into a session.
    const ahead = await startStsAhead(aws.endpoint, 465);
    try {
      const script = `(async () => {
        const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(STS_CLIENT)});
        const client = new STSClient({ endpoint: ${JSON.stringify(aws.endpoint)} });
        const call = async () => {
          const { Arn } = await client.send(new GetCallerIdentityCommand({}));
          const keys = await client.config.credentials();
          return { arn: Arn, id: keys.accessKeyId, expiration: keys.expiration.getTime() };
        };
        const first = await call();
        const second = await call();
        await new Promise((r) => setTimeout(r, Math.max(0, first.expiration - Date.now()) + 3000));
        const granted = (await (await fetch(${JSON.stringify(`${aws.endpoint}/moto-api/data.json`)})).json()).sts.AssumedRole.map((r) => r.access_key_id);
        const third = await call();
        console.log(JSON.stringify([first, second, third, granted]));
      })().catch((err) => { console.error('child failed: ' + err.name + ': ' + err.message); process.exit(9); });`;
      const before = new Set(await assumedKeyIds(aws.endpoint, aws.seed.roles.deploy));
      const run = await bin(['exec', '--server', '--app', 'longrun', '--stage', 'dev', '--quiet', ...nodeScript(script)], {
        extraEnv: { AWS_ENDPOINT_URL_STS: ahead.endpoint, SERVERLESS_ACCESS_ROLES_CACHE_DIR: path.join(dir, 'cache-refresh') },
      });
      assert.equal(run.code, 0, run.stderr);
      const [first, second, third, grantedBeforeThird] = JSON.parse(run.stdout);
      for (const call of [first, second, third]) assert.match(call.arn, ROLE_SESSION);
      assert.equal(second.id, first.id, 'keys not yet due come from the cache');
      assert.notEqual(third.id, first.id, 'due keys are renewed');
      assert.ok(grantedBeforeThird.includes(third.id), 'renewed at their refresh time, before the command asked again');
      // Other tests assume the same role meanwhile: the keys the command saw are both new grants.
      const granted = (await assumedKeyIds(aws.endpoint, aws.seed.roles.deploy)).filter((id) => !before.has(id));
      assert.ok(granted.includes(first.id) && granted.includes(third.id), 'each renewal is an AssumeRole of its own');
    } finally {
      await ahead.close();
    }
  });

  test('a failed renewal is answered 500 with its code, and said once on stderr', async () => {
    const own = path.join(dir, 'own-store');
    fs.mkdirSync(own);
    const store = path.join(own, 'access-roles.yml');
    fs.copyFileSync(path.join(dir, 'access-roles.yml'), store);
    // The command removes the store exec was started with: every later resolve fails.
    const script = `(async () => {
      require('fs').rmSync(${JSON.stringify(store)});
      const ask = () => fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } });
      const answers = [await ask(), await ask()];
      console.log(JSON.stringify(await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.json() })))));
    })();`;
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', '--config', store, ...nodeScript(script)]);
    assert.equal(run.code, 0, run.stderr);
    const answers = JSON.parse(run.stdout);
    for (const { status, body } of answers) {
      assert.equal(status, 500);
      assert.equal(body.code, 'E_MISSING_STORE');
      assert.ok(!('AccessKeyId' in body));
    }
    assert.match(run.stderr, /^serverless-access-roles: exec --server: E_MISSING_STORE: profile store .* does not exist/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  });

  test('the endpoint ends with the command: its port is closed once exec returns', async () => {
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript('console.log(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI)')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await listening(run.stdout.trim()), false);
  });

  test('SIGTERM to exec reaches the command, then the port is freed and exec exits 128 + 15', async () => {
    const script = "console.log('ready', process.pid, process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI); setInterval(() => {}, 1000);";
    let pid;
    let uri;
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(script)], {
      onStdout: (text, child) => {
        const ready = text.match(/^ready (\d+) (\S+)$/m);
        if (ready && !pid) {
          [, pid, uri] = ready;
          pid = Number(pid);
          listening(uri).then((up) => {
            assert.equal(up, true, 'listening while the command runs');
            child.kill('SIGTERM');
          });
        }
      },
    });
    assert.equal(run.code, 143, run.stderr);
    assert.equal(alive(pid), false, 'the command has ended');
    assert.equal(await listening(uri), false);
  });

  test('SIGKILL of exec frees the port, and the orphaned command gets no keys from anyone else', async () => {
    const result = path.join(dir, 'after-kill.txt');
    const go = path.join(dir, 'after-kill.go');
    const script = `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(STS_CLIENT)});
      const fs = require('fs');
      console.log('ready', process.pid, process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
      const wait = setInterval(() => { if (!fs.existsSync(${JSON.stringify(go)})) return; clearInterval(wait);
        new STSClient({}).send(new GetCallerIdentityCommand({})).then(
          (r) => fs.writeFileSync(${JSON.stringify(result)}, 'ran as ' + r.Arn),
          (err) => fs.writeFileSync(${JSON.stringify(result)}, 'failed: ' + err.name + ': ' + err.message)).finally(() => process.exit(0)); }, 100);`;
    let pid;
    let uri;
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(script)], {
      onStdout: (text, child) => {
        const ready = text.match(/^ready (\d+) (\S+)$/m);
        if (ready && !pid) {
          [, pid, uri] = ready;
          pid = Number(pid);
          child.kill('SIGKILL');
        }
      },
    });
    assert.equal(run.code, 'killed by SIGKILL');
    try {
      await waitFor(async () => !(await listening(uri)), 'the port to close');
      // The command, orphaned, asks for keys now.
      fs.writeFileSync(go, '');
      await waitFor(() => fs.existsSync(result), 'the orphaned command to ask');
      assert.match(fs.readFileSync(result, 'utf8'), /^failed: /);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('a shell with --server runs on the role, and its line says the keys are renewed', async () => {
    const input = `${AWS_CLI} sts get-caller-identity --query Arn --output text\necho "uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI id=\${AWS_ACCESS_KEY_ID:-none}"\n`;
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev'], { input, extraEnv: { SHELL: '/bin/bash' } });
    assert.equal(run.code, 0, run.stderr);
    const [arn, vars] = run.stdout.trim().split('\n');
    assert.match(arn, ROLE_SESSION);
    assert.match(vars, /^uri=http:\/\/127\.0\.0\.1:\d+\/ id=none$/);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /→ profile "sandbox" .*; starting \/bin\/bash on the role \(renewed by a local endpoint while it runs\)$/);
  });

  test('a default AWS profile with keys of its own would win over the endpoint: refused, the command never runs', async () => {
    const credentials = path.join(dir, 'default-credentials');
    fs.writeFileSync(credentials, '[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT\naws_secret_access_key = not-used\n');
    const marker = path.join(dir, 'shadowed-started');
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', ...nodeScript(`require('fs').writeFileSync(${JSON.stringify(marker)}, '')`)], {
      extraEnv: { AWS_SHARED_CREDENTIALS_FILE: credentials },
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^serverless-access-roles: E_ENDPOINT_SHADOWED: the AWS config profile "default" has credentials of its own \(aws_access_key_id\)/m);
    assert.match(run.stderr, /--aws-profile NAME/);
    assert.ok(!run.stderr.includes('AKIAEXAMPLEDEFAULT'));
    assert.equal(fs.existsSync(marker), false);
  });

  test('usage: --server with --no-cache, or on credential-process, exits 2', async () => {
    const noCache = await bin(['exec', '--server', '--no-cache', '--app', 'payments', '--stage', 'dev', '--', 'true']);
    assert.equal(noCache.code, 2);
    assert.match(noCache.stderr, /--server keeps the keys in memory/);
    const process = await bin(['credential-process', '--server', '--app', 'payments', '--stage', 'dev']);
    assert.equal(process.code, 2);
    assert.match(process.stderr, /--server is an option of exec/);
  });
});

describe('nested resolves inside exec --server', { concurrency: true }, () => {
  const nested = (args) => `const { execFileSync } = require('node:child_process');
    const run = () => { try { return { out: execFileSync(process.execPath, [${JSON.stringify(BIN)}, ...${JSON.stringify(args)}], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) }; }
      catch (err) { return { status: err.status, err: String(err.stderr) }; } };
    const keys = () => fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } }).then((r) => r.json());
    (async () => { const served = await keys(); const got = run(); console.log(JSON.stringify({ ...got, same: got.out ? JSON.parse(got.out).AccessKeyId === served.AccessKeyId : null })); })();`;

  test('credential-process for the same app and stage answers the endpoint\'s keys, without STS', async () => {
    const cacheDir = path.join(dir, 'cache-nested');
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(nested(['credential-process', '--app', 'payments', '--stage', 'dev', '--no-cache']))], {
      extraEnv: { SERVERLESS_ACCESS_ROLES_CACHE_DIR: cacheDir },
    });
    assert.equal(run.code, 0, run.stderr);
    // With --no-cache, keys from STS would be new ones: the same keys came from the endpoint.
    assert.equal(JSON.parse(run.stdout).same, true, run.stdout);
  });

  test('another role inside is refused naming both roles, not assumed with the endpoint\'s keys', async () => {
    const run = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(nested(['credential-process', '--app', 'billing', '--stage', 'dev']))]);
    assert.equal(run.code, 0, run.stderr);
    const got = JSON.parse(run.stdout);
    assert.equal(got.status, 1);
    assert.match(got.err, /^serverless-access-roles: E_SESSION_ROLE_MISMATCH: /);
    assert.ok(got.err.includes(aws.seed.roles.deploy) && got.err.includes(aws.seed.roles.deployExternalId), got.err);
  });

  test('exec --server inside a plain exec serves that session\'s keys to its command', async () => {
    const script = `console.log(JSON.stringify({ id: process.env.AWS_ACCESS_KEY_ID ?? null }));
      ${WHOAMI}`;
    const inner = JSON.stringify(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', '--', process.execPath, '-e', script]);
    const outer = `const { execFileSync } = require('node:child_process');
      process.stdout.write(execFileSync(process.execPath, [${JSON.stringify(BIN)}, ...${inner}], { encoding: 'utf8' }));`;
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(outer)]);
    assert.equal(run.code, 0, run.stderr);
    const [vars, arn] = run.stdout.trim().split('\n');
    assert.equal(JSON.parse(vars).id, null, 'the outer keys are not passed on beside the endpoint');
    assert.match(arn, ROLE_SESSION);
  });

  test('once the endpoint is gone, a resolve in its environment is E_SESSION_ENDPOINT, never another identity', async () => {
    const script = "const e = process.env; console.log(JSON.stringify({ uri: e.AWS_CONTAINER_CREDENTIALS_FULL_URI, token: e.AWS_CONTAINER_AUTHORIZATION_TOKEN, marker: e.SERVERLESS_ACCESS_ROLES_SESSION }));";
    const served = await bin(['exec', '--server', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(script)]);
    assert.equal(served.code, 0, served.stderr);
    const { uri, token, marker } = JSON.parse(served.stdout);
    // The session's environment as its command had it, exec gone: the base user's keys removed.
    const leftBehind = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: uri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
      SERVERLESS_ACCESS_ROLES_SESSION: marker,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    };
    const run = await bin(['credential-process', '--app', 'payments', '--stage', 'dev'], { input: '', extraEnv: leftBehind });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^serverless-access-roles: E_SESSION_ENDPOINT: this command runs inside an access-role session of .*serverless-deploy whose keys a credentials endpoint serves/);
    assert.ok(!run.stderr.includes(token), 'the token is never shown');
    assert.equal(run.stdout, '');
    // A marker whose endpoint variables were changed proves nothing: ignored, and said.
    const forged = await bin(['credential-process', '--app', 'payments', '--stage', 'dev', '--verbose'], {
      input: '',
      extraEnv: { ...leftBehind, AWS_CONTAINER_AUTHORIZATION_TOKEN: `${token}x`, AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY },
    });
    assert.equal(forged.code, 0, forged.stderr);
    assert.match(forged.stderr, /SERVERLESS_ACCESS_ROLES_SESSION ignored: the endpoint variables are not the ones it was made with/);
  });
});
