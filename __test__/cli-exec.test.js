'use strict';
// `serverless-access-roles exec -- COMMAND`: the bin run as a user runs it, against moto with
// IAM enforced; the aws CLI (from the project venv) and node children ask STS who they are.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { useLocalAwsAndDir, userEnv } = require('./helpers/harness');
const { assumeRoleCount } = require('./helpers/sts-calls');
const { NO_TERMINAL, runInTerminal } = require('./helpers/terminal');

const BIN = path.resolve(__dirname, '..', 'bin', 'serverless-access-roles.js');
const AWS_CLI = path.resolve(__dirname, '..', '.venv', 'bin', 'aws');
const STS_CLIENT = require.resolve('@aws-sdk/client-sts');
const ROLE_SESSION = /^arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/;

let aws;
let dir;
let env;

useLocalAwsAndDir('cli-exec-', (started) => {
  ({ aws, dir } = started);
  fs.writeFileSync(
    path.join(dir, 'access-roles.yml'),
    [
      'profiles:',
      '  sandbox:',
      `    roleArn: ${aws.seed.roles.deploy}`,
      '  denied:',
      `    roleArn: ${aws.seed.roles.denied}`,
      '  billing:',
      `    roleArn: ${aws.seed.roles.deployExternalId}`,
      `    externalId: ${aws.seed.externalId}`,
      'apps:',
      '  payments:',
      '    defaultProfile: sandbox',
      '    stages: { prod: denied }',
      '  billing: { defaultProfile: billing }',
      '',
    ].join('\n'),
  );
  env = userEnv(aws, dir);
});

/**
 * Starts `serverless-access-roles args` in the store's directory, with `extraEnv` over the base
 * user's environment. `input` is written to its stdin; `onStdout(text, child)` sees stdout as it
 * grows. Resolves with status and output.
 */
function bin(args, { input = '', onStdout, extraEnv } = {}) {
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
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `killed by ${signal}` : code, stdout, stderr });
    });
  });
}

/** `node -e script` as the command exec runs. */
const nodeScript = (script) => ['--', process.execPath, '-e', script];

/** A node child that asks STS who it is through an SDK v3 client from the default chain. */
const WHOAMI = `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(STS_CLIENT)});
new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn));`;

describe('exec', { concurrency: true }, () => {
  test('the aws CLI and a node child run on the role', async () => {
    const [awsCli, node] = await Promise.all([
      bin(['exec', '--app', 'payments', '--stage', 'dev', '--', AWS_CLI, 'sts', 'get-caller-identity', '--output', 'json']),
      bin(['exec', '--app', 'payments', '--stage', 'dev', ...nodeScript(WHOAMI)]),
    ]);
    assert.equal(awsCli.code, 0, awsCli.stderr);
    assert.match(JSON.parse(awsCli.stdout).Arn, ROLE_SESSION);
    assert.equal(node.code, 0, node.stderr);
    assert.match(node.stdout.trim(), ROLE_SESSION);
  });

  test('the command sees the session variables, no profile, and the region it had', async () => {
    const script = `const e = process.env; console.log(JSON.stringify({ id: e.AWS_ACCESS_KEY_ID, exp: e.AWS_CREDENTIAL_EXPIRATION,
      marker: JSON.parse(e.SERVERLESS_ACCESS_ROLES_SESSION), profile: e.AWS_PROFILE ?? null, region: e.AWS_REGION }));`;
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', ...nodeScript(script)], { extraEnv: { AWS_PROFILE: 'someone' } });
    assert.equal(run.code, 0, run.stderr);
    const seen = JSON.parse(run.stdout);
    assert.match(seen.id, /^ASIA/);
    assert.ok(new Date(seen.exp).getTime() > Date.now(), seen.exp);
    assert.equal(seen.marker.roleArn, aws.seed.roles.deploy);
    assert.equal(seen.profile, null);
    assert.equal(seen.region, aws.seed.region);
  });

  test('stdin, stdout and stderr pass through, and the exit status comes back', async () => {
    const script = "process.stdin.on('data', (d) => process.stdout.write(String(d).toUpperCase())); process.stdin.on('end', () => { console.error('to stderr'); process.exit(7); });";
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--quiet', ...nodeScript(script)], { input: 'piped in\n' });
    assert.equal(run.code, 7);
    assert.equal(run.stdout, 'PIPED IN\n');
    assert.equal(run.stderr, 'to stderr\n');
  });

  test('SIGTERM sent to exec reaches the command, and exec exits 128 + 15', async () => {
    const script = "console.log('ready', process.pid); setInterval(() => {}, 1000);";
    let pid;
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', ...nodeScript(script)], {
      onStdout: (text, child) => {
        const ready = text.match(/^ready (\d+)$/m);
        if (ready && !pid) {
          pid = Number(ready[1]);
          child.kill('SIGTERM');
        }
      },
    });
    assert.equal(run.code, 143, run.stderr);
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the command has ended');
  });

  for (const signal of ['SIGINT', 'SIGHUP']) {
    test(`${signal} is passed on to the command, which decides how to end`, async () => {
      const script = `process.on('${signal}', () => { console.log('command got ${signal}'); process.exit(3); }); console.log('ready'); setInterval(() => {}, 1000);`;
      let sent = false;
      const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', ...nodeScript(script)], {
        onStdout: (text, child) => {
          if (!sent && text.includes('ready')) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stdout, new RegExp(`^command got ${signal}$`, 'm'));
    });
  }

  /**
   * Runs exec on a terminal (helpers/terminal.js) with a command that counts the SIGINTs it gets
   * and reports them half a second after the first; once it is ready, `interrupt(execPid,
   * terminal)` interrupts it.
   */
  const countSigintsOnTerminal = (interrupt) => {
    const script = "let n = 0; process.on('SIGINT', () => { n += 1; setTimeout(() => { console.log('SIGINTs: ' + n); process.exit(3); }, 500); }); console.log('ready ' + process.ppid); setInterval(() => {}, 1000);";
    let sent = false;
    return runInTerminal([process.execPath, BIN, 'exec', '--app', 'payments', '--stage', 'dev', '--', process.execPath, '-e', script], {
      cwd: dir,
      env,
      timeoutMs: 60_000,
      onOutput: (output, terminal) => {
        const ready = output.match(/ready (\d+)/);
        if (!sent && ready) {
          sent = true;
          interrupt(Number(ready[1]), terminal);
        }
      },
    });
  };

  test('one Ctrl-C at a terminal reaches the command once', { skip: NO_TERMINAL }, async () => {
    // The terminal signals the whole foreground group; exec must not add a second SIGINT, which
    // tools such as terraform take as "stop now".
    const run = await countSigintsOnTerminal((execPid, terminal) => terminal.type('\x03'));
    assert.match(run.output, /SIGINTs: 1\r?\n/, run.output);
    assert.equal(run.code, 3);
  });

  test('a SIGINT sent to exec alone on a terminal reaches the command once', { skip: NO_TERMINAL }, async () => {
    // `kill -INT` of exec's pid (a process manager, an IDE's stop button): the command would not
    // get it itself, so exec passes it on, though its stdin is a terminal.
    const run = await countSigintsOnTerminal((execPid) => process.kill(execPid, 'SIGINT'));
    assert.match(run.output, /SIGINTs: 1\r?\n/, run.output);
    assert.equal(run.code, 3);
  });

  test('a failure to resolve stops exec before the command starts', async () => {
    const marker = path.join(dir, 'started');
    const run = await bin(['exec', '--app', 'payments', '--stage', 'prod', ...nodeScript(`require('fs').writeFileSync(${JSON.stringify(marker)}, '')`)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^serverless-access-roles: E_ACCESS_DENIED: not allowed to assume .*someone-elses-role/);
    assert.equal(run.stdout, '');
    assert.equal(fs.existsSync(marker), false, 'the command never ran');
  });

  test('usage errors exit 2 with the usage; a missing command exits 127', async () => {
    const noApp = await bin(['exec', '--stage', 'dev', '--', 'true']);
    assert.equal(noApp.code, 2);
    assert.match(noApp.stderr, /--app is required/);
    const help = await bin(['exec', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /must finish before they expire/);
    const missing = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--quiet', '--', 'no-such-command-here']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /^serverless-access-roles: E_COMMAND_NOT_FOUND: cannot run "no-such-command-here"/);
  });
});

describe('exec without a command: a shell on the role', { concurrency: true }, () => {
  const IDENTITY = `${AWS_CLI} sts get-caller-identity --query Arn --output text\necho "marker=$SERVERLESS_ACCESS_ROLES_SESSION"\n`;

  test('$SHELL runs on the role, with the marker set, after one line naming the role and expiry', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev'], { input: IDENTITY, extraEnv: { SHELL: '/bin/bash' } });
    assert.equal(run.code, 0, run.stderr);
    const [arn, marker] = run.stdout.trim().split('\n');
    assert.match(arn, ROLE_SESSION);
    assert.equal(JSON.parse(marker.replace(/^marker=/, '')).roleArn, aws.seed.roles.deploy);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], new RegExp(`^serverless-access-roles: payments/dev → profile "sandbox" .*→ ${aws.seed.roles.deploy}; .*expire \\d{4}-\\d\\d-\\d\\dT.*; starting /bin/bash on the role`));
  });

  test('without $SHELL it is /bin/sh, and the shell\'s exit status comes back', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--quiet'], {
      input: 'echo "shell=$0"\nexit 5\n',
      extraEnv: { SHELL: undefined },
    });
    assert.equal(run.code, 5, run.stderr);
    assert.equal(run.stdout, 'shell=/bin/sh\n');
    assert.equal(run.stderr, '');
  });

  test('a shell is never started when the role cannot be resolved', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'prod'], { input: 'echo started\n', extraEnv: { SHELL: '/bin/sh' } });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^serverless-access-roles: E_ACCESS_DENIED: /);
  });

  test('a command without its -- is answered with the fixed command line, in one line', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--mfa-code', '123456', 'aws', 's3', 'ls', 's3://a b']);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `serverless-access-roles: "aws" is not an option of exec; put the command after --: serverless-access-roles exec --app payments --stage dev --mfa-code CODE -- aws s3 ls 's3://a b'\n`,
    );
    assert.equal(run.stdout, '');
    const forged = await bin(['exec', '--app', 'payments', '--stage', 'dev', 'echo', 'a\nserverless-access-roles: forged']);
    assert.equal(forged.code, 2);
    assert.equal(forged.stderr.split('\n').length, 2, 'one line');
    assert.match(forged.stderr, / -- echo "a\\nserverless-access-roles: forged"\n$/);
  });
});

describe('nested sessions', () => {
  test('credential-process inside exec for the same app and stage answers without STS', async () => {
    const before = await assumeRoleCount(aws.endpoint);
    const nested = `const { execFileSync } = require('node:child_process');
      const doc = JSON.parse(execFileSync(process.execPath, [${JSON.stringify(BIN)}, 'credential-process', '--app', 'payments', '--stage', 'dev', '--no-cache'], { encoding: 'utf8' }));
      console.log(doc.AccessKeyId === process.env.AWS_ACCESS_KEY_ID ? 'same keys' : 'other keys');`;
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--no-cache', ...nodeScript(nested)]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'same keys');
    assert.equal(await assumeRoleCount(aws.endpoint), before + 1, "exec's own AssumeRole only");
  });

  test('another role inside exec is a coded error naming both roles', async () => {
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', '--quiet', '--', process.execPath, BIN, 'credential-process', '--app', 'billing', '--stage', 'dev']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^serverless-access-roles: E_SESSION_ROLE_MISMATCH: /);
    assert.ok(run.stderr.includes(aws.seed.roles.deploy) && run.stderr.includes(aws.seed.roles.deployExternalId), run.stderr);
    assert.equal(run.stdout, '');
  });

  test('exec inside exec for the same role runs on the same keys', async () => {
    const script = 'console.log(process.env.AWS_ACCESS_KEY_ID)';
    const outer = `const { execFileSync } = require('node:child_process');
      const inner = execFileSync(process.execPath, [${JSON.stringify(BIN)}, 'exec', '--app', 'payments', '--stage', 'dev', '--', process.execPath, '-e', ${JSON.stringify(script)}], { encoding: 'utf8' }).trim();
      console.log(inner === process.env.AWS_ACCESS_KEY_ID ? 'same keys' : 'other keys');`;
    const run = await bin(['exec', '--app', 'payments', '--stage', 'dev', ...nodeScript(outer)]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'same keys');
  });
});
