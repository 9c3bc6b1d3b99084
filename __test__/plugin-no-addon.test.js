'use strict';
// The plugin with the platform package missing (the addon hidden through napi-rs's
// NAPI_RS_NATIVE_LIBRARY_PATH, pointed at a file that does not exist), run by the real CLIs:
// whatever needs no keys works, since the plugin loads the addon only to resolve them.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const os = require('node:os');
const path = require('node:path');
const { startLocalAws } = require('./helpers/localaws');
const { createService, createHome } = require('./helpers/serverless');

const HIDDEN = { NAPI_RS_NATIVE_LIBRARY_PATH: path.join(os.tmpdir(), 'no-such-dir', 'serverless-access-roles.node') };

let aws;
let home;

before(async () => {
  aws = await startLocalAws();
  home = await createHome();
});

after(async () => {
  await aws?.stop();
  await home?.remove();
});

/** Runs `args` with the addon hidden and asserts the exit status, showing the output otherwise. */
async function run(service, args, { ok = true, env } = {}) {
  const result = await service.run(args, { env: { ...HIDDEN, ...env } });
  assert.equal(result.code === 0, ok, `${service.label} ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  return result;
}

describe('osls 4 without the platform package', () => {
  let service;
  before(async () => {
    service = await createService(aws, 'osls', { home });
  });
  after(() => service?.remove());

  test('a command that needs keys fails naming the missing package: the addon is really hidden', async () => {
    const { output } = await run(service, ['print'], { ok: false });
    assert.match(output, /ACCESS_ROLES_NO_NATIVE_BINDING|no native addon for/);
    assert.match(output, /serverless-access-roles-[a-z0-9]+-[a-z0-9]+/);
  });

  test('package --use-local-credentials works', async () => {
    const { output } = await run(service, ['package', '--use-local-credentials']);
    assert.match(output, /Access roles off \(--use-local-credentials\)/);
  });

  test('SERVERLESS_ACCESS_ROLES_DISABLE=1 works', async () => {
    const { output } = await run(service, ['package'], { env: { SERVERLESS_ACCESS_ROLES_DISABLE: '1' } });
    assert.match(output, /Access roles off \(SERVERLESS_ACCESS_ROLES_DISABLE=1\)/);
  });

  test('--help works', async () => {
    const { output } = await run(service, ['package', '--help']);
    assert.match(output, /package/);
  });
});

describe('serverless v3 without the platform package', () => {
  let service;
  before(async () => {
    service = await createService(aws, 'serverless', {
      home,
      edit: (doc) => doc.setIn(['custom', 'accessRoles', 'enabled'], false),
    });
  });
  after(() => service?.remove());

  test('enabled: false works', async () => {
    const { output } = await run(service, ['print']);
    assert.match(output, /Access roles off \(custom\.accessRoles\.enabled: false\)/);
  });

  test('--use-local-credentials works', async () => {
    const { output } = await run(service, ['print', '--use-local-credentials']);
    assert.match(output, /service: /);
  });

  test('a command that never calls AWS works', async () => {
    const { stdout } = await run(service, ['generate-event', '--type', 'aws:sqs']);
    assert.match(stdout, /"Records"/);
  });
});
