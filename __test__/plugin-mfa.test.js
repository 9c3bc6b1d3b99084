'use strict';
// MFA in the plugin: `--mfa-code`, SERVERLESS_ACCESS_ROLES_MFA_CODE, the question on a terminal
// (a real pseudo-terminal through the system's `script`, helpers/terminal.js, and stand-in streams for the decision),
// the cache sparing the question, `--no-cache`, and refreshes that need a new code. moto does
// not check MFA codes, so any six digits pass; without one the native resolver refuses.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PassThrough } = require('node:stream');
const { startLocalAws, applyEnv } = require('./helpers/localaws');
const { createHome, runChecked, withExampleService, CLIS } = require('./helpers/serverless');
const { NO_TERMINAL } = require('./helpers/terminal');
const askMfaCode = require('../lib/shared/ask-mfa-code');
const resolveServiceCredentials = require('../lib/plugin/resolve-service-credentials');
const resolveWithMfa = require('../lib/shared/resolve-with-mfa');

const DEVICE = 'arn:aws:iam::123456789012:mfa/deployer';
const MFA_MESSAGE = `this profile requires a code from MFA device ${DEVICE}`;
const PROMPT = /MFA code for arn:aws:iam::123456789012:mfa\/deployer: /;

/** Stand-ins for process.stdin/stderr; `tty` sets isTTY on both. */
function terminal({ tty }) {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let written = '';
  stderr.on('data', (chunk) => {
    written += chunk;
  });
  return { stdin, stderr, written: () => written };
}

/** A resolver that wants a code: rejects E_MFA_REQUIRED without one, records what it got. */
function mfaResolver() {
  const calls = [];
  const resolve = async (extra) => {
    calls.push(extra);
    if (!extra.mfaCode) throw Object.assign(new Error(MFA_MESSAGE), { code: 'E_MFA_REQUIRED' });
    return { accessKeyId: 'ASIA', mfaCode: extra.mfaCode };
  };
  return { resolve, calls };
}

describe('resolveWithMfa and askMfaCode, with stand-in streams', () => {
  test('on a terminal, asks once on stderr and retries with the answer', async () => {
    const term = terminal({ tty: true });
    const { resolve, calls } = mfaResolver();
    const pending = resolveWithMfa(resolve, { ask: () => askMfaCode(DEVICE, term) });
    setImmediate(() => term.stdin.write(' 123456 \n'));
    assert.deepEqual(await pending, { accessKeyId: 'ASIA', mfaCode: '123456' });
    assert.deepEqual(calls, [{}, { mfaCode: '123456' }]);
    assert.match(term.written(), PROMPT);
  });

  test('without a terminal, or with a code given, or for another error, the error stands', async () => {
    const { resolve, calls } = mfaResolver();
    for (const term of [terminal({ tty: false }), { ...terminal({ tty: true }), stderr: terminal({ tty: false }).stderr }]) {
      // The second: stdin a terminal, stderr not (e.g. 2> log.txt).
      await assert.rejects(resolveWithMfa(resolve, { ask: () => askMfaCode(DEVICE, term) }), { code: 'E_MFA_REQUIRED', message: MFA_MESSAGE });
    }
    assert.deepEqual(calls, [{}, {}], 'no retry without an answer');
    const ask = () => assert.fail('must not ask');
    const refusing = async () => {
      throw Object.assign(new Error('mfa'), { code: 'E_MFA_REQUIRED' });
    };
    await assert.rejects(resolveWithMfa(refusing, { mfaCode: '111111', ask }), { code: 'E_MFA_REQUIRED' });
    const denied = async () => {
      throw Object.assign(new Error('denied'), { code: 'E_ACCESS_DENIED' });
    };
    await assert.rejects(resolveWithMfa(denied, { ask }), { code: 'E_ACCESS_DENIED' });
  });

  test('end of input at the question leaves the original error', async () => {
    const term = terminal({ tty: true });
    const { resolve, calls } = mfaResolver();
    const pending = resolveWithMfa(resolve, { ask: () => askMfaCode(DEVICE, term) });
    setImmediate(() => term.stdin.end());
    await assert.rejects(pending, { code: 'E_MFA_REQUIRED', message: MFA_MESSAGE });
    assert.equal(calls.length, 1);
  });
});

describe('against moto', () => {
  let aws;
  let home;
  const STORE = [
    'profiles:',
    '  sandbox:',
    '    roleArn: arn:aws:iam::123456789012:role/serverless-deploy',
    `    mfaSerial: ${DEVICE}`,
    'apps:',
    '  payments:',
    '    defaultProfile: sandbox',
    '',
  ].join('\n');

  before(async () => {
    [aws, home] = await Promise.all([startLocalAws(), createHome()]);
  });
  after(async () => {
    await aws?.stop();
    await home?.remove();
  });

  /** Runs `args` and asserts the exit status and that no secret key was printed. */
  const run = (service, args, options) => runChecked(aws, service, args, options);

  /** A test on a fresh copy of the example service with the MFA store, removed afterwards. */
  const withService = (cli, body, options = {}) => withExampleService(aws, cli, { home, store: STORE, ...options }, body);

  describe('the plugin in the real CLIs', { concurrency: true }, () => {
    for (const cli of Object.keys(CLIS)) {
      test(`${CLIS[cli].label}: --mfa-code, then the cache spares the code; --no-cache asks again`, () =>
        withService(cli, async (service) => {
          const first = await run(service, ['access-role', 'test', '--mfa-code', '123456']);
          assert.match(first.stdout, /^Keys from: +STS AssumeRole in us-east-1$/m);
          assert.match(first.stdout, /^Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\/\S+$/m);
          const second = await run(service, ['access-role', 'test']);
          assert.match(second.stdout, /^Keys from: +cache$/m);
          const uncached = await run(service, ['info', '--no-cache'], { ok: false });
          assert.ok(uncached.output.includes(`Access roles: ${MFA_MESSAGE}`), uncached.output);
        }));

      test(`${CLIS[cli].label}: on a terminal, asks for the code and goes on`, { skip: NO_TERMINAL }, () =>
        withService(cli, async (service) => {
          const { code, output } = await service.runInTerminal(['access-role', 'test'], { prompt: PROMPT, answer: '123456' });
          assert.equal(code, 0, output);
          assert.match(output, PROMPT);
          assert.match(output, /Assumed identity: +arn:aws:sts::\d+:assumed-role\/serverless-deploy\//);
        }));
    }

    test('osls 4: without a code or a terminal, the MFA error; the environment variable works', () =>
      withService('osls', async (service) => {
        const refused = await run(service, ['access-role', 'test'], { ok: false });
        assert.ok(refused.output.includes(`Access roles: ${MFA_MESSAGE}; run the command on a terminal`), refused.output);
        assert.ok(refused.output.includes('; the MFA code is given with --mfa-code CODE'), refused.output);
        const fromEnv = await run(service, ['access-role', 'test'], { env: { SERVERLESS_ACCESS_ROLES_MFA_CODE: '123456' } });
        assert.match(fromEnv.stdout, /^Keys from: +STS AssumeRole/m);
      }));

    test('osls 4: custom.accessRoles.cache: false calls STS every time', () =>
      withService(
        'osls',
        async (service) => {
          await run(service, ['access-role', 'test', '--mfa-code', '123456']);
          const again = await run(service, ['access-role', 'test'], { ok: false });
          assert.ok(again.output.includes(MFA_MESSAGE), again.output);
        },
        { edit: (doc) => doc.setIn(['custom', 'accessRoles', 'cache'], false) },
      ));
  });

  describe('refreshing keys that need MFA', () => {
    let dir;
    let saved;
    before(() => {
      dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-mfa-')));
      fs.writeFileSync(path.join(dir, 'access-roles.yml'), STORE);
      saved = applyEnv({ ...aws.env, SERVERLESS_ACCESS_ROLES_MFA_CODE: undefined, SERVERLESS_ACCESS_ROLES_CONFIG: undefined });
    });
    after(() => {
      applyEnv(saved);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const serverless = { classes: {} };
    const log = { spinner: () => ({ remove() {} }), notice() {} };
    const settings = () => ({
      app: 'payments',
      stage: 'dev',
      mfaCode: '123456',
      resolveOptions: { cwd: dir, region: 'us-east-1', cache: false },
    });

    test('without a terminal, a refresh fails saying why, not reusing the spent --mfa-code', async () => {
      const { credentials, resolveAgain } = await resolveServiceCredentials(serverless, settings(), {
        log, mustHaveRole: true, terminal: terminal({ tty: false }),
      });
      assert.equal(credentials.source, 'sts');
      await assert.rejects(resolveAgain(), {
        code: 'ACCESS_ROLES_MFA_REQUIRED',
        message: /keys for payments\/dev ran out during this command and new ones need a fresh MFA code, but there is no terminal/,
      });
    });

    test('without a terminal, a refresh does not reuse SERVERLESS_ACCESS_ROLES_MFA_CODE either', async () => {
      process.env.SERVERLESS_ACCESS_ROLES_MFA_CODE = '123456';
      const { credentials, resolveAgain } = await resolveServiceCredentials(serverless, { ...settings(), mfaCode: undefined }, {
        log, mustHaveRole: true, terminal: terminal({ tty: false }),
      });
      assert.equal(credentials.source, 'sts');
      assert.equal(process.env.SERVERLESS_ACCESS_ROLES_MFA_CODE, undefined);
      await assert.rejects(resolveAgain(), { code: 'ACCESS_ROLES_MFA_REQUIRED' });
    });

    test('on a terminal, a refresh asks for a new code', async () => {
      const term = terminal({ tty: true });
      const { resolveAgain } = await resolveServiceCredentials(serverless, settings(), { log, mustHaveRole: true, terminal: term });
      const pending = resolveAgain();
      term.stdin.write('654321\n');
      const next = await pending;
      assert.equal(next.source, 'sts');
      assert.match(term.written(), PROMPT);
    });
  });
});
