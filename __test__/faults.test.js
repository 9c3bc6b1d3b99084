'use strict';
// STS misbehaving: small local servers on loopback stand in for an STS that refuses, hangs,
// fails, throttles or answers nonsense. Each case must end in a coded error within the timeout,
// write nothing to the cache, and leave no work pending in node.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const os = require('node:os');
const path = require('node:path');
const { resolveCredentials } = require('..');

let dir;

before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-faults-')));
  fs.writeFileSync(
    path.join(dir, 'access-roles.yml'),
    'defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::123456789012:role/serverless-deploy\n',
  );
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIAFAULTTESTBASEKEY',
    AWS_SECRET_ACCESS_KEY: 'fault-test-base-secret-0123456789abcdefgh',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    HOME: dir,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Serves `handler` on a free loopback port for the length of `fn`, counting requests. */
async function withServer(handler, fn) {
  const sockets = new Set();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${server.address().port}`;
  try {
    return await fn(() => requests);
  } finally {
    delete process.env.AWS_ENDPOINT_URL_STS;
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

function xmlError(status, code, message) {
  return (req, res) => {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
  };
}

/** Resolves in a new node process (which reads the disk cache afresh): "SOURCE ASSUMED-ARN". */
async function resolveInChild(options) {
  const code = `require(${JSON.stringify(path.join(__dirname, '..'))})
    .resolveCredentials('svc', 'dev', ${JSON.stringify(options)})
    .then((c) => console.log(c.source, c.assumedRoleArn), (e) => console.log('error', e.code, e.message));`;
  // Asynchronously: the STS stand-in answers from this process's event loop.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', code], { env: process.env });
  return stdout.trim();
}

/** An AssumeRole answer with keys that expire at `expiration`, for `arn`'s role. */
function assumeRoleAnswer(expiration, arn = 'arn:aws:sts::123456789012:assumed-role/serverless-deploy/s') {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAFAULTTESTKEY0001</AccessKeyId><SecretAccessKey>fault-secret</SecretAccessKey>
<SessionToken>fault-token</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>${arn}</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`);
  };
}

/** Resolves with a fresh cache dir; asserts the error and that nothing was cached. */
async function expectFailure(expected, options = {}) {
  const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
  await assert.rejects(resolveCredentials('svc', 'dev', { cwd: dir, cacheDir, ...options }), (err) => {
    assert.equal(err.code, expected.code, err.message);
    if (expected.message) assert.match(err.message, expected.message);
    for (const name of ['baseProfile', 'defined', 'hint']) {
      if (name in expected) assert.deepEqual(err[name], expected[name], name);
    }
    assert.ok(!err.message.includes(process.env.AWS_SECRET_ACCESS_KEY), 'no secret in the message');
    return true;
  });
  const entries = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  assert.deepEqual(entries, [], 'nothing is cached after a failure');
}

test('STS accepting connections but never answering is E_STS_UNREACHABLE within the timeout', async () => {
  await withServer(() => {}, async () => {
    await expectFailure({
      code: 'E_STS_UNREACHABLE',
      message: /^could not reach STS at http:\/\/127\.0\.0\.1:\d+: no answer within 2 s \(timeoutSeconds\); check the network/,
    }, { timeoutSeconds: 2 });
  });
});

test('5xx answers are retried, then E_STS_ERROR', async () => {
  await withServer(xmlError(503, 'ServiceUnavailable', 'try later'), async (requests) => {
    await expectFailure({ code: 'E_STS_ERROR', message: /ServiceUnavailable/ });
    assert.equal(requests(), 3, 'the standard retry policy makes three attempts');
  });
});

test('an HTML 500 page is E_STS_ERROR naming the status', async () => {
  await withServer((req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<html>oops</html>'), async () => {
    await expectFailure({ code: 'E_STS_ERROR', message: /HTTP 500/ });
  });
});

test('throttling is retried with backoff, then E_STS_ERROR naming it', async () => {
  await withServer(xmlError(400, 'Throttling', 'Rate exceeded'), async (requests) => {
    await expectFailure({ code: 'E_STS_ERROR', message: /Throttling/ });
    assert.equal(requests(), 3);
  });
});

test('a 200 answer that is not an AssumeRole response is E_STS_ERROR saying so', async () => {
  await withServer((req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end('<nonsense/>'), async () => {
    await expectFailure({ code: 'E_STS_ERROR', message: /unreadable answer from STS: HTTP 200, 11 bytes, not an AssumeRole response/ });
  });
});

test('an answer over 1 MiB is E_STS_ERROR, with or without a length, and is not read to its end', async () => {
  const big = `<AssumeRoleResponse>${'x'.repeat(3 * 1024 * 1024)}`;
  for (const headers of [{ 'content-length': String(Buffer.byteLength(big)) }, {}]) {
    await withServer((req, res) => res.writeHead(200, { 'content-type': 'text/xml', ...headers }).end(big), async () => {
      await expectFailure({ code: 'E_STS_ERROR', message: /STS sent an answer larger than 1048576 bytes/ });
    });
  }
});

test('expired base credentials are E_INVALID_BASE_CREDENTIALS', async () => {
  await withServer(xmlError(403, 'ExpiredToken', 'The security token included in the request is expired'), async () => {
    await expectFailure({ code: 'E_INVALID_BASE_CREDENTIALS', message: /ExpiredToken/ });
  });
});

test('AccessDenied from STS is E_ACCESS_DENIED naming the role', async () => {
  await withServer(xmlError(403, 'AccessDenied', 'not authorized to perform sts:AssumeRole'), async () => {
    await expectFailure({ code: 'E_ACCESS_DENIED', message: /role\/serverless-deploy/ });
  });
});

test('a refused connection is E_STS_UNREACHABLE', async () => {
  const server = http.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  await new Promise((r) => server.close(r));
  process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${port}`;
  try {
    await expectFailure({
      code: 'E_STS_UNREACHABLE',
      message: new RegExp(`^could not reach STS at http://127\\.0\\.0\\.1:${port}: connection refused; check the network, the region and AWS_ENDPOINT_URL_STS$`),
    });
  } finally {
    delete process.env.AWS_ENDPOINT_URL_STS;
  }
});

test('keys that STS hands out expired, or expiring within a minute, are E_STS_ERROR about the clock', async () => {
  for (const expiration of [new Date(Date.now() - 3600e3), new Date(Date.now() + 30e3)]) {
    await withServer(assumeRoleAnswer(expiration), async () => {
      await expectFailure({ code: 'E_STS_ERROR', message: /clock/ });
    });
  }
});

test('a cache entry with an absurd expiration is ignored and replaced, and never aborts node', async () => {
  const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
  const options = { cwd: dir, cacheDir };
  await withServer(assumeRoleAnswer(new Date(Date.now() + 3600e3)), async (requests) => {
    assert.equal((await resolveCredentials('svc', 'dev', options)).source, 'sts');
    const [name] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    const file = path.join(cacheDir, name);
    // This process would answer from memory: each case runs in a new one, which reads the disk.
    for (const expirationMs of ['9000000000000000', '18446744073709551615', String(Date.now() + 86400e3)]) {
      const text = fs.readFileSync(file, 'utf8').replace(/"expirationMs":\d+/, `"expirationMs":${expirationMs}`);
      fs.writeFileSync(file, text, { mode: 0o600 });
      assert.match(await resolveInChild(options), /^sts /, expirationMs);
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'), new RegExp(expirationMs), 'the entry was replaced');
    }
    assert.equal(requests(), 4);
  });
});

test('a cache entry holding keys of another role is ignored and replaced', async () => {
  const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
  const options = { cwd: dir, cacheDir };
  await withServer(assumeRoleAnswer(new Date(Date.now() + 3600e3)), async (requests) => {
    await resolveCredentials('svc', 'dev', options);
    const [name] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    const file = path.join(cacheDir, name);
    const foreign = 'arn:aws:sts::999999999999:assumed-role/someone-else/s';
    const text = fs.readFileSync(file, 'utf8').replace(/"assumedRoleArn":"[^"]*"/, `"assumedRoleArn":"${foreign}"`);
    fs.writeFileSync(file, text, { mode: 0o600 });
    assert.match(await resolveInChild(options), /^sts arn:aws:sts::123456789012:assumed-role\/serverless-deploy\//);
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /someone-else/);
    assert.equal(requests(), 2);
  });
});

test('an unknown host and a TLS failure are one line each, naming the endpoint and what failed', async () => {
  const tls = http.createServer((req, res) => res.end('plain HTTP'));
  await new Promise((r) => tls.listen(0, '127.0.0.1', r));
  const cases = [
    ['http://no-such-host.invalid', /^could not reach STS at http:\/\/no-such-host\.invalid: DNS lookup failed \(no such host\?\); check/],
    [`https://127.0.0.1:${tls.address().port}`, /^could not reach STS at https:\/\/127\.0\.0\.1:\d+: TLS failed: .+; check/],
  ];
  try {
    for (const [endpoint, message] of cases) {
      process.env.AWS_ENDPOINT_URL_STS = endpoint;
      await expectFailure({ code: 'E_STS_UNREACHABLE', message });
      await assert.rejects(resolveCredentials('svc', 'dev', { cwd: dir, cache: false }), (err) => {
        assert.doesNotMatch(err.message, /\n|DispatchFailure|ConnectorError|\{/, 'one line, no Debug dump');
        return true;
      });
    }
  } finally {
    delete process.env.AWS_ENDPOINT_URL_STS;
    await new Promise((r) => tls.close(r));
  }
});

test('an --aws-profile / sourceProfile that is not defined names it and the profiles that are', async () => {
  const config = path.join(fs.mkdtempSync(path.join(dir, 'aws-')), 'config');
  fs.writeFileSync(config, '[default]\nregion = us-east-1\n[profile ci]\nregion = us-east-1\n');
  const previous = { ...process.env };
  process.env.AWS_CONFIG_FILE = config;
  // Key variables would come first in the chain, whatever the profile.
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  try {
    await expectFailure({
      code: 'E_NO_BASE_CREDENTIALS',
      message: /^AWS profile `nope` \(the base profile, or the deployment profile's sourceProfile\) is not in the AWS config or credentials file; defined there: `ci`, `default`; name one of those/,
      baseProfile: 'nope',
      defined: ['ci', 'default'],
      hint: 'baseProfile',
    }, { baseProfile: 'nope' });
  } finally {
    Object.assign(process.env, previous);
  }
});

const BIN = path.join(__dirname, '..', 'bin', 'serverless-access-roles.js');

/** Runs the bin with `args` in the test's directory, the environment changed by `extra`. */
function runBin(args, extra = {}) {
  const env = { ...process.env, SERVERLESS_ACCESS_ROLES_CACHE_DIR: fs.mkdtempSync(path.join(dir, 'cache-')), ...extra };
  return new Promise((resolve, reject) => {
    // Asynchronously: the STS stand-in answers from this process's event loop.
    execFile(process.execPath, [BIN, ...args], { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

test('an STS error whose code and message carry escapes, line breaks and 200 KB is one escaped line of about 1 KB', async () => {
  const hostile = `\u001b]0;owned\u0007\u001b[2Jline one\nline two ${'y'.repeat(200_000)}`;
  await withServer(xmlError(400, 'Bad\u001b[31mCode', hostile), async () => {
    await expectFailure({ code: 'E_STS_ERROR', message: /^STS AssumeRole failed \(Bad\\u\{1b\}\[31mCode\): \\u\{1b\}\]0;owned\\u\{7\}\\u\{1b\}\[2Jline one\\nline two y+…$/ });
    const { status, stderr } = await runBin(['credential-process', '--app', 'svc', '--stage', 'dev']);
    assert.equal(status, 1);
    assert.equal(stderr.split('\n').length, 2, 'one line and its end');
    const controls = [...stderr.slice(0, -1)].filter((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    assert.deepEqual(controls, [], 'no control character reaches the terminal');
    assert.ok(stderr.length < 1200, `${stderr.length} characters`);
  });
});

test('an answer whose secret holds a NUL or an escape is E_STS_ERROR that shows none of it, through the API and exec', async () => {
  // As character references, which the SDK's XML reader decodes (a raw NUL it refuses whole).
  for (const secret of ['a&#0;b-hostile-secret', 'a&#x1b;[2J-hostile-secret', 'a\tb-hostile-secret']) {
    const answer = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAFAULTTESTKEY0001</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>
<SessionToken>fault-token</SessionToken><Expiration>${new Date(Date.now() + 3600e3).toISOString()}</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/serverless-deploy/s</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    };
    await withServer(answer, async () => {
      const message = /^STS AssumeRole failed \(MalformedResponse\): unusable answer from STS: its SecretAccessKey is empty or holds characters other than printable ASCII \(not shown\)/;
      await expectFailure({ code: 'E_STS_ERROR', message });
      const { status, stdout, stderr } = await runBin(['exec', '--app', 'svc', '--stage', 'dev', '--', process.execPath, '-e', '']);
      assert.equal(status, 1, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, /^serverless-access-roles: E_STS_ERROR: STS AssumeRole failed \(MalformedResponse\): unusable answer from STS: its SecretAccessKey/);
      assert.ok(!stderr.includes('hostile-secret'), stderr);
    });
  }
});

test('a key variable with a line break, a control character or surrounding spaces is E_INVALID_ARGUMENT naming it, never its value', async () => {
  const cases = [
    ['AWS_ACCESS_KEY_ID', 'AKIAFAULTTESTBASEKEY\r'],
    ['AWS_ACCESS_KEY_ID', 'AKIAFAULTTESTBASEKEY\r\n'],
    ['AWS_SECRET_ACCESS_KEY', ' fault-test-base-secret-0123456789abcdefgh'],
    ['AWS_SESSION_TOKEN', 'fault-token\u001b[2J'],
  ];
  await withServer(assumeRoleAnswer(new Date(Date.now() + 3600e3)), async (requests) => {
    for (const [name, value] of cases) {
      const { status, stdout, stderr } = await runBin(['credential-process', '--app', 'svc', '--stage', 'dev'], { [name]: value });
      assert.equal(status, 1, `${name}: ${stderr}`);
      assert.equal(stdout, '');
      assert.match(stderr, new RegExp(`^serverless-access-roles: E_INVALID_ARGUMENT: invalid ${name}: the variable `));
      assert.ok(!stderr.includes(value.trim()), stderr);
      const baseEnvironment = { [name]: value };
      await assert.rejects(resolveCredentials('svc', 'dev', { cwd: dir, cache: false, baseEnvironment }), { code: 'E_INVALID_ARGUMENT' });
    }
    assert.equal(requests(), 0, 'refused before any call');
  });
});

test('a chain of 10 profiles, the most a store may hold, is assumed in 10 calls', async () => {
  const chained = fs.mkdtempSync(path.join(dir, 'chain-'));
  const hops = Array.from({ length: 10 }, (_, i) => `  p${i}:\n    roleArn: arn:aws:iam::123456789012:role/serverless-deploy\n${i < 9 ? `    via: p${i + 1}\n` : ''}`);
  fs.writeFileSync(path.join(chained, 'access-roles.yml'), `defaultProfile: p0\nprofiles:\n${hops.join('')}`);
  await withServer(assumeRoleAnswer(new Date(Date.now() + 3600e3)), async (requests) => {
    const keys = await resolveCredentials('svc', 'dev', { cwd: chained, cache: false });
    assert.equal(keys.accessKeyId, 'ASIAFAULTTESTKEY0001');
    assert.equal(requests(), 10);
  });
});

test('a child that runs credential-process for the key its parent is resolving waits for it and gets the same keys, not a loop error', async () => {
  const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
  let child;
  const slow = (req, res) => {
    // The parent holds the key's lock while STS is slow; its script runs the bin meanwhile.
    child ??= runBin(['credential-process', '--app', 'svc', '--stage', 'dev'], { SERVERLESS_ACCESS_ROLES_CACHE_DIR: cacheDir });
    setTimeout(() => assumeRoleAnswer(new Date(Date.now() + 3600e3))(req, res), 2000);
  };
  await withServer(slow, async (requests) => {
    const parent = await resolveCredentials('svc', 'dev', { cwd: dir, cacheDir });
    const { status, stdout, stderr } = await child;
    assert.equal(status, 0, stderr);
    assert.equal(JSON.parse(stdout).AccessKeyId, parent.accessKeyId);
    assert.equal(requests(), 1, 'the child read the keys its parent cached');
  });
});
