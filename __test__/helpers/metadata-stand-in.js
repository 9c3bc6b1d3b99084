'use strict';
// A loopback stand-in for the EC2 instance metadata service (IMDSv2), reached through
// AWS_EC2_METADATA_SERVICE_ENDPOINT. It records every request, so a test can prove none was
// made, and answers in one of three ways:
// - 'error': HTTP 501 to everything, as a proxy or another cloud's metadata service does;
// - 'hang': accepts connections and never answers, as a blackholed link-local address does;
// - 'role': a token, then a role name and that role's keys (the `keys` given), as EC2 serves
//   an instance profile.

const http = require('node:http');

/**
 * Starts the stand-in on 127.0.0.1.
 * @param {'error' | 'hang' | 'role'} mode
 * @param {{ accessKeyId: string, secretAccessKey: string, sessionToken: string }} [keys] the keys
 *   served in 'role' mode (a session's: IMDS always serves a token)
 * @returns {Promise<{ endpoint: string, requests: { method: string, url: string }[], stop: () => Promise<void> }>}
 */
async function startMetadataStandIn(mode, keys) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url });
    if (mode === 'hang') return;
    if (mode === 'error') {
      res.writeHead(501).end();
      return;
    }
    const send = (status, body, headers = {}) => res.writeHead(status, { 'Content-Type': 'text/plain', ...headers }).end(body);
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      return send(200, 'stand-in-token', { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' });
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== 'stand-in-token') return send(401, '');
    if (req.url === '/latest/meta-data/iam/security-credentials/') return send(200, 'instance-role');
    if (req.url === '/latest/meta-data/iam/security-credentials/instance-role') {
      const expiration = new Date(Date.now() + 6 * 3600 * 1000).toISOString();
      return send(
        200,
        JSON.stringify({
          Code: 'Success',
          Type: 'AWS-HMAC',
          AccessKeyId: keys.accessKeyId,
          SecretAccessKey: keys.secretAccessKey,
          Token: keys.sessionToken,
          Expiration: expiration,
          LastUpdated: new Date().toISOString(),
        }),
        { 'Content-Type': 'application/json' },
      );
    }
    return send(404, '');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { endpoint: `http://127.0.0.1:${server.address().port}`, requests, stop };
}

module.exports = { startMetadataStandIn };
