'use strict';
// Codes in plugin errors: neither serverless v3 nor osls 4 prints a ServerlessError's code, so
// each message ends with it, `… (ACCESS_ROLES_MISSING_OPTION)`, and that code is the key of a
// row in the README's error tables. Run by the real CLIs against moto (./helpers/localaws.js).

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { runChecked, withExampleService, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

const ROOT = path.resolve(__dirname, '..');

/** Codes that lead a row of a README table: `E_X (ACCESS_ROLES_X)` gives both. */
function readmeRowCodes() {
  const codes = new Set();
  for (const line of fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line);
    if (!first) continue;
    for (const [, code] of first[1].matchAll(/`((?:E|ACCESS_ROLES)_[A-Z0-9_]+)`/g)) codes.add(code);
  }
  return codes;
}

/** Every quoted `E_…` / `ACCESS_ROLES_…` string in the sources at `paths` (files or folders). */
function sourceCodes(paths) {
  const codes = new Set();
  const walk = (file) => {
    if (fs.statSync(file).isDirectory()) {
      for (const name of fs.readdirSync(file)) walk(path.join(file, name));
    } else if (/\.(js|rs)$/.test(file)) {
      for (const [, code] of fs.readFileSync(file, 'utf8').matchAll(/["'`]((?:E|ACCESS_ROLES)_[A-Z0-9_]+)["'`]/g)) codes.add(code);
    }
  };
  for (const where of paths) walk(path.join(ROOT, where));
  return codes;
}

// lib/cli/ is left out: the bin's own codes (exec's E_COMMAND_*) never reach the plugin, and the
// README tells them with exec.
test("every error code a plugin error can carry leads a row of the README's error tables", () => {
  const rows = readmeRowCodes();
  const codes = sourceCodes(['crates/core/src', 'src', 'lib/plugin', 'lib/api', 'lib/shared', 'lib/native.js']);
  assert.ok(codes.has('E_NO_PROFILE_STORE') && codes.has('ACCESS_ROLES_MISSING_OPTION'), 'the scan found the codes');
  const missing = [];
  for (const code of codes) {
    // The plugin reports a native E_X as ACCESS_ROLES_X: both must be findable.
    const wanted = code.startsWith('E_') ? [code, `ACCESS_ROLES_${code.slice(2)}`] : [code];
    for (const name of wanted) if (!rows.has(name)) missing.push(name);
  }
  assert.deepEqual(missing, [], 'codes without a README row');
});

let aws;
let home;

useLocalAwsAndHome((started) => ({ aws, home } = started));

describe('the CLIs print a plugin error with its code at the end', { concurrency: true }, () => {
  for (const cli of Object.keys(CLIS)) {
    test(`${CLIS[cli].label}: the plugin's own error and a native one end with a code the README has a row for`, () =>
      withExampleService(aws, cli, { home }, async (service) => {
        const rows = readmeRowCodes();
        const neither = await runChecked(aws, service, ['access-role', 'link', '--profile', 'p'], { ok: false });
        assert.match(neither.output, /access-role link needs --role-arn ARN \(the role to link\), or --create[^\n]* \(ACCESS_ROLES_MISSING_OPTION\)$/m);

        const missing = path.join(service.dir, 'missing.yml');
        const noStore = await runChecked(aws, service, ['info'], { ok: false, env: { SERVERLESS_ACCESS_ROLES_CONFIG: missing } });
        assert.match(noStore.output, /Access roles: /);
        assert.match(noStore.output, / \(ACCESS_ROLES_MISSING_STORE\)$/m);

        for (const output of [neither.output, noStore.output]) {
          const [, code] = / \((ACCESS_ROLES_[A-Z_]+)\)$/m.exec(output);
          assert.ok(rows.has(code), `README has no row for ${code}`);
        }
      }));
  }
});
