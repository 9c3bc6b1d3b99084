'use strict';
// A stand-in for STS whose clock runs ahead: it passes every request on to moto unchanged (the
// Host header too, so SigV4 signatures still match) and rewrites the Expiration of each
// AssumeRole answer to `secondsLeft` from now, as if most of a session's life had already passed.
// It is how a test sees keys come due without waiting out a 900-second session: the core reads
// the expiry STS states (crates/core/src/sts.rs) and decides freshness from it.

const http = require('node:http');

/**
 * Starts the stand-in on 127.0.0.1 in front of `endpoint` (moto).
 * @param {string} endpoint
 * @param {number} secondsLeft what each AssumeRole answer states as the keys' remaining life
 * @returns {Promise<{ endpoint: string, close: () => Promise<void> }>}
 */
async function startStsAhead(endpoint, secondsLeft) {
  const target = new URL(endpoint);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts = [];
          answer.on('data', (chunk) => parts.push(chunk));
          answer.on('end', () => {
            let body = Buffer.concat(parts).toString('utf8');
            if (body.includes('<AssumeRoleResponse')) {
              const stated = new Date(Date.now() + secondsLeft * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
              body = body.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${stated}</Expiration>`);
            }
            const headers = { ...answer.headers, 'content-length': Buffer.byteLength(body) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode, headers);
            res.end(body);
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

module.exports = { startStsAhead };
