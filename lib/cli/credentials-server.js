'use strict';
// `exec --server`'s endpoint: an access role's keys over HTTP on 127.0.0.1, in the container
// credentials format that every AWS SDK and the aws CLI poll when AWS_CONTAINER_CREDENTIALS_FULL_URI
// and AWS_CONTAINER_AUTHORIZATION_TOKEN are set (the format ECS and aws-vault's --ecs-server
// serve). Node's http, not a server in the native core: README "Long commands: exec --server"
// and BENCHMARKS.md say why.

const crypto = require('node:crypto');
const http = require('node:http');

/** Bytes of randomness in a token: 256 bits, as base64url. */
const TOKEN_BYTES = 32;

/** The shortest wait before renewing ahead of a request, so keys due on arrival cannot loop. */
const MIN_RENEWAL_DELAY_MS = 5000;

/** setTimeout's longest delay. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The answer the SDKs read: the keys, and as `Expiration` their `refreshAt` (the core's refresh
 * rule), so that a client comes back for new keys when every other holder replaces them. Keys
 * past their `refreshAt` that are still answered (those of a session exec itself runs in, which
 * nothing can renew) state their real expiry: an SDK refuses keys that say they have expired.
 * @param {import('../../index').AccessRoleCredentials} credentials
 */
function document(credentials) {
  const due = credentials.refreshAt.getTime() > Date.now() ? credentials.refreshAt : credentials.expiration;
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: due.toISOString(),
  };
}

/** Whether `given` is `token`, in time that does not depend on where they differ. */
function sameToken(given, token) {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The `Host` a request to the listening `server` names: `127.0.0.1:PORT`. */
function hostOf(server) {
  return `127.0.0.1:${server.address().port}`;
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Starts the endpoint on 127.0.0.1, on a port the system picks. Each GET that carries the token
 * as `Authorization` and names the server as `Host` is answered with `resolve()`'s keys (the
 * core's resolve: fresh cached keys from memory, new ones through the cache's single flight once
 * they are due); any other request gets 403 (405 for another method, 404 for another path).
 * The keys are also resolved again at their `refreshAt`, so that the request after it finds the
 * new ones in memory instead of waiting for STS. A failed resolve is answered 500 with its code
 * and message, and `onError(err)` is told; a key is never written anywhere but into an
 * authorised answer.
 *
 * @param {() => Promise<import('../../index').AccessRoleCredentials>} resolve
 * @param {{ onError?: (err: Error) => void, keys?: import('../../index').AccessRoleCredentials }} [options]
 *   `keys`: the keys resolved before the server started, whose `refreshAt` the first renewal follows
 * @returns {Promise<{ uri: string, token: string, close: () => Promise<void> }>}
 */
async function startCredentialsServer(resolve, { onError = () => {}, keys } = {}) {
  const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
  let renewal;
  const renewAt = (credentials) => {
    clearTimeout(renewal);
    const delay = Math.min(MAX_DELAY_MS, Math.max(MIN_RENEWAL_DELAY_MS, credentials.refreshAt.getTime() - Date.now()));
    renewal = setTimeout(() => resolve().then(renewAt, onError), delay);
    renewal.unref();
  };
  const server = http.createServer((req, res) => {
    if (req.headers.host !== hostOf(server) || !sameToken(req.headers.authorization, token)) {
      reply(res, 403, { code: 'E_FORBIDDEN', message: 'this endpoint answers only requests that carry its token' });
      return;
    }
    if (req.method !== 'GET') {
      reply(res, 405, { code: 'E_METHOD_NOT_ALLOWED', message: 'only GET' });
      return;
    }
    if (req.url !== '/') {
      reply(res, 404, { code: 'E_NOT_FOUND', message: 'the keys are at /' });
      return;
    }
    resolve().then(
      (credentials) => {
        renewAt(credentials);
        reply(res, 200, document(credentials));
      },
      (err) => {
        onError(err);
        reply(res, 500, { code: err.code ?? 'E_INTERNAL', message: String(err.message) });
      },
    );
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, done);
  });
  if (keys) renewAt(keys);
  return {
    uri: `http://${hostOf(server)}/`,
    token,
    close: () =>
      new Promise((done) => {
        clearTimeout(renewal);
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

module.exports = { startCredentialsServer };
