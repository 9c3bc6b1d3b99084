'use strict';
// STS misbehaving: small local servers on loopback stand in for an STS that refuses, hangs,
// fails, throttles or answers nonsense. Each case must end in a coded error within the timeout,
// write nothing to the cache, and leave no work pending in node.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { resolveCredentials } = require('..');

let dir;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sar-faults-'));
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

/** Resolves with a fresh cache dir; asserts the error and that nothing was cached. */
async function expectFailure(expected, options = {}) {
  const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
  await assert.rejects(resolveCredentials('svc', 'dev', { cwd: dir, cacheDir, ...options }), (err) => {
    assert.equal(err.code, expected.code, err.message);
    if (expected.message) assert.match(err.message, expected.message);
    assert.ok(!err.message.includes(process.env.AWS_SECRET_ACCESS_KEY), 'no secret in the message');
    return true;
  });
  const entries = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  assert.deepEqual(entries, [], 'nothing is cached after a failure');
}

test('STS accepting connections but never answering is E_STS_UNREACHABLE within the timeout', async () => {
  await withServer(() => {}, async () => {
    await expectFailure({ code: 'E_STS_UNREACHABLE', message: /127\.0\.0\.1/ }, { timeoutSeconds: 2 });
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

test('a 200 answer that is not an AssumeRole response is E_STS_ERROR', async () => {
  await withServer((req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end('<nonsense/>'), async () => {
    await expectFailure({ code: 'E_STS_ERROR' });
  });
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
    await expectFailure({ code: 'E_STS_UNREACHABLE' });
  } finally {
    delete process.env.AWS_ENDPOINT_URL_STS;
  }
});
