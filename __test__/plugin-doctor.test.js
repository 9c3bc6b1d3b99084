'use strict';
// `serverless access-role doctor` run by the real CLIs, serverless v3 and osls 4, on a copy of
// examples/ against moto with IAM enforced: the same checks as the bin's doctor, with the
// service's app, stage and settings.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { runChecked, withExampleService, CLIS } = require('./helpers/serverless');
const { useLocalAwsAndHome } = require('./helpers/harness');

let aws;
let home;

useLocalAwsAndHome((started) => ({ aws, home } = started));

for (const cli of Object.keys(CLIS)) {
  describe(`access-role doctor (${CLIS[cli].label})`, () => {
    test('a healthy stage passes; a denied one fails the assume with its fix and exits non-zero', async () => {
      await withExampleService(aws, cli, { home }, async (service) => {
        const healthy = await runChecked(aws, service, ['access-role', 'doctor', '--stage', 'dev']);
        assert.match(healthy.output, /ok {7}store: .*access-roles\.yml, valid/);
        assert.match(healthy.output, /ok {7}mapping: payments\/dev → profile "sandbox" \(apps\.payments\.defaultProfile\)/);
        assert.match(healthy.output, /ok {7}base identity: arn:aws:iam::123456789012:user\/deployer/);
        assert.match(healthy.output, /ok {7}assume: arn:aws:sts::123456789012:assumed-role\/serverless-deploy\//);
        assert.match(healthy.output, new RegExp(`ok {7}versions: serverless-access-roles \\S+, node \\S+, serverless \\d`));
        const denied = await runChecked(aws, service, ['access-role', 'doctor', '--stage', 'prod'], { ok: false });
        assert.match(denied.output, /FAILED {3}assume: E_ACCESS_DENIED: not allowed to assume arn:aws:iam::123456789012:role\/someone-elses-role/);
        assert.match(denied.output, /access-role doctor: assume failed; see the fixes above/);
        assert.doesNotMatch(denied.output, /\n\s+at /, 'no stack trace');
        // --prefix and --stages as given to `profiles --write`: compared with, and named in the fix.
        const prefixed = await runChecked(aws, service, ['access-role', 'doctor', '--stage', 'dev', '--prefix', 'acme-', '--stages', 'dev,qa']);
        assert.match(prefixed.output, /warning {2}aws config profiles: none written .*\n {9}fix: serverless-access-roles profiles --write --prefix acme- --stages dev,qa\n/);
      });
    });
  });
}
