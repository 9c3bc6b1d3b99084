'use strict';
// Which servers STS calls trust: the system's root certificates, read once per process (ahead of
// the first call, on a thread of their own: crates/core/src/sts.rs). An STS stand-in over HTTPS
// whose certificate a test CA signed is trusted exactly when that CA is in the process's roots
// (SSL_CERT_FILE, which the system store honours); each case is a new process, as the roots are
// read once per process. The certificates are made by the openssl command for each run.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const https = require('node:https');
const { execFile, execFileSync } = require('node:child_process');
const { promisify } = require('node:util');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const ROLE = 'arn:aws:iam::123456789012:role/serverless-deploy';
const ASSUMED = 'arn:aws:sts::123456789012:assumed-role/serverless-deploy/s';

let dir;
let server;
let requests = 0;

/** A CA (`NAME-ca.pem`, `NAME-ca.key`) made with openssl in `dir`. */
function makeCa(name) {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name} test CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
    '-keyout', path.join(dir, `${name}-ca.key`), '-out', path.join(dir, `${name}-ca.pem`),
  ], { stdio: 'pipe' });
}

/** A certificate for 127.0.0.1 signed by CA `ca`: `{ key, cert }` as PEM. */
function makeServerCertificate(ca) {
  const file = (f) => path.join(dir, f);
  fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', file('server.key'), '-out', file('server.csr')], { stdio: 'pipe' });
  execFileSync('openssl', ['x509', '-req', '-in', file('server.csr'), '-days', '2', '-CA', file(`${ca}-ca.pem`), '-CAkey', file(`${ca}-ca.key`),
    '-set_serial', '1', '-extfile', file('server.ext'), '-out', file('server.pem')], { stdio: 'pipe' });
  return { key: fs.readFileSync(file('server.key')), cert: fs.readFileSync(file('server.pem')) };
}

before(async () => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-tls-')));
  makeCa('trusted');
  makeCa('other');
  server = https.createServer(makeServerCertificate('trusted'), (req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIATLSTESTKEY000001</AccessKeyId><SecretAccessKey>tls-secret</SecretAccessKey>
<SessionToken>tls-token</SessionToken><Expiration>${new Date(Date.now() + 3600e3).toISOString()}</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>${ASSUMED}</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  fs.writeFileSync(path.join(dir, 'access-roles.yml'), `defaultProfile: p\nprofiles:\n  p:\n    roleArn: ${ROLE}\n`);
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * The first resolve of a new process, against the HTTPS stand-in, with `roots` as the process's
 * root certificates (SSL_CERT_FILE): "sts ARN", or "error CODE MESSAGE".
 */
async function firstResolveInChild(roots, stage = 'dev') {
  const code = `require(${JSON.stringify(ROOT)})
    .resolveCredentials('svc', ${JSON.stringify(stage)}, { cwd: ${JSON.stringify(dir)}, cacheDir: ${JSON.stringify(fs.mkdtempSync(path.join(dir, 'cache-')))}, timeoutSeconds: 5 })
    .then((c) => console.log(c.source, c.assumedRoleArn), (e) => console.log('error', e.code, e.message));`;
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIATLSTESTBASEKEY01',
    AWS_SECRET_ACCESS_KEY: 'tls-test-base-secret-0123456789abcdefghij',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    AWS_ENDPOINT_URL_STS: `https://127.0.0.1:${server.address().port}`,
    SSL_CERT_FILE: roots,
    HOME: dir,
  };
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'SSL_CERT_DIR', 'HTTPS_PROXY', 'https_proxy']) delete env[name];
  // Asynchronously: the stand-in answers from this process's event loop.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', code], { env });
  return stdout.trim();
}

test("an HTTPS STS whose certificate the process's root certificates vouch for is called", async () => {
  const before = requests;
  assert.equal(await firstResolveInChild(path.join(dir, 'trusted-ca.pem')), `sts ${ASSUMED}`);
  assert.equal(requests - before, 1);
});

test('an HTTPS STS whose certificate no root certificate vouches for is refused before any request', async () => {
  const before = requests;
  const answer = await firstResolveInChild(path.join(dir, 'other-ca.pem'));
  assert.match(answer, /^error E_STS_UNREACHABLE could not reach STS at https:\/\/127\.0\.0\.1:\d+: TLS failed: .+; check/);
  assert.doesNotMatch(answer, /tls-secret|ASIATLSTESTKEY/);
  assert.equal(requests - before, 0, 'no request reached the server');
});
