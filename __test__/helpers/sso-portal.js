'use strict';
// A loopback stand-in for the IAM Identity Center portal's GetRoleCredentials
// (GET /federation/credentials), reached through AWS_ENDPOINT_URL_SSO, as the SDKs call it for a
// profile with sso_session, sso_account_id and sso_role_name. It answers `keys` for the one
// account, role and bearer token it was given, and the portal's 401 UnauthorizedException to
// any other token (what an expired or revoked login gets).

const http = require('node:http');

/**
 * Starts the stand-in on 127.0.0.1.
 * @param {{ token: string, accountId: string, roleName: string,
 *   keys: { accessKeyId: string, secretAccessKey: string, sessionToken?: string } }} grant
 * @returns {Promise<{ endpoint: string, requests: string[], stop: () => Promise<void> }>}
 */
async function startSsoPortal({ token, accountId, roleName, keys }) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    const send = (status, body, headers = {}) => res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.headers['x-amz-sso_bearer_token'] !== token) {
      return send(401, { message: 'Session token not found or invalid' }, { 'x-amzn-ErrorType': 'UnauthorizedException' });
    }
    if (url.pathname !== '/federation/credentials' || url.searchParams.get('account_id') !== accountId || url.searchParams.get('role_name') !== roleName) {
      return send(403, { message: 'No access' }, { 'x-amzn-ErrorType': 'ForbiddenException' });
    }
    return send(200, {
      roleCredentials: {
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        // Identity Center always sends one; a user's long-term keys (what moto accepts) have none.
        ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
        expiration: Date.now() + 3600 * 1000,
      },
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

module.exports = { startSsoPortal };
