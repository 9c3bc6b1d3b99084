'use strict';
// The contracts between the core and its front-ends, at the addon's edge: errors carry their
// fields as properties (no caller reads a message), store texts are checked and described in
// memory (no scratch file), the JSON format is the core's decision, one "did you mean" rule, and
// every export checks its options against its struct's fields.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const native = require('../lib/native');

const ARN = 'arn:aws:iam::111111111111:role/deploy';
const STORE = `# the team's store\nprofiles:\n  sandbox:\n    roleArn: ${ARN}\n    externalId: ext-1\napps:\n  pay:\n    defaultProfile: sandbox\n    stages:\n      prod: sandbox\n`;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sar-contracts-'));

test('checkStore answers what describeProfile answers for the same text on disk, writing nothing', () => {
  const dir = tmp();
  const file = path.join(dir, 'access-roles.yml');
  const checked = native.checkStore(STORE, { path: file, app: 'pay', stage: 'prod' }, { cwd: dir });
  assert.deepEqual(fs.readdirSync(dir), [], 'no file was written');
  fs.writeFileSync(file, STORE);
  assert.deepEqual(checked, native.describeProfile('pay', 'prod', { cwd: dir }));
  assert.equal(checked.configPath, file);
  assert.equal(checked.rule, 'apps.pay.stages.prod');
});

test('checkStore refuses a store at the file, line, column and field, with the reason apart', () => {
  const dir = tmp();
  const file = path.join(dir, 'roles.yml');
  const text = STORE.replace(ARN, 'arn:aws:iam::1234:role/deploy');
  assert.throws(() => native.checkStore(text, { path: file, app: 'pay', stage: 'prod' }), (err) => {
    assert.equal(err.code, 'E_INVALID_CONFIG');
    assert.deepEqual(
      { path: err.path, line: err.line, column: err.column, field: err.field },
      { path: file, line: 4, column: 14, field: 'profiles.sandbox.roleArn' },
    );
    assert.match(err.reason, /^account `1234` in role ARN is not 12 digits/);
    assert.equal(err.message, `${file}:4:14: profiles.sandbox.roleArn: ${err.reason}`);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), []);
  // A mapping to a profile the store lacks: the field is where the reference is written.
  const dangling = `${STORE}      qa: sandbx\n`;
  assert.throws(() => native.checkStore(dangling, { path: file, app: 'pay', stage: 'qa' }), (err) => {
    assert.deepEqual([err.field, err.line], ['apps.pay.stages.qa', 11]);
    assert.match(err.reason, /profile `sandbx` is not defined under `profiles` \(did you mean `sandbox`\?\)/);
    return true;
  });
  assert.throws(() => native.checkStore(STORE, { path: file, app: 'billing', stage: 'qa' }), { code: 'E_NO_PROFILE', app: 'billing', stage: 'qa' });
  // A reserved name asked for is the caller's argument, refused before the text is read.
  assert.throws(() => native.checkStore(`${STORE}  constructor:\n    defaultProfile: sandbox\n`, { path: file, app: 'constructor', stage: 'qa' }), {
    code: 'E_INVALID_ARGUMENT',
    argument: 'app',
  });
  // A text is held to a file's limit, and the store's own text comes back escaped.
  const huge = `${STORE}# ${'x'.repeat(1024 * 1024)}\n`;
  assert.throws(() => native.checkStore(huge, { path: file, app: 'pay', stage: 'prod' }), { code: 'E_UNREADABLE_CONFIG', path: file });
  assert.throws(() => native.describeStore({ path: file }, huge), { code: 'E_UNREADABLE_CONFIG' });
  assert.throws(() => native.checkStore(`${STORE}"\\e]0;owned\\a": 1\n`, { path: file, app: 'pay', stage: 'prod' }), (err) => {
    assert.equal(err.code, 'E_INVALID_CONFIG');
    assert.match(err.reason, /unknown field `\\u\{1b\}]0;owned\\u\{7\}`/);
    assert.ok(![...err.message].some((c) => c.charCodeAt(0) < 0x20), err.message);
    return true;
  });
});

test('JSON is told by the extension in any case, by the core, for every store operation', () => {
  const dir = tmp();
  const upper = path.join(dir, 'roles.JSON');
  assert.equal(native.findProfileStore({ configPath: upper }).format, 'json');
  assert.equal(native.findProfileStore({ configPath: path.join(dir, 'roles.yml') }).format, 'yaml');
  // YAML in a .JSON store is refused as JSON would be, at 1:1, as resolving would refuse it.
  assert.throws(() => native.checkStore(STORE, { path: upper, app: 'pay', stage: 'prod' }), { code: 'E_INVALID_CONFIG', line: 1, column: 1 });
  assert.equal(native.describeStore({ path: upper }, '{"profiles": {}}').format, 'json');
  // The format given wins over the path's.
  assert.equal(native.checkStore(STORE, { path: upper, format: 'yaml', app: 'pay', stage: 'prod' }).profile, 'sandbox');
  assert.throws(() => native.describeStore({ path: upper, format: 'toml' }, ''), { code: 'E_INVALID_ARGUMENT', argument: 'format' });
});

test('describeStore lists profiles, apps and mappings from a text or the file, leniently', () => {
  const dir = tmp();
  const file = path.join(dir, 'access-roles.yml');
  const fromText = native.describeStore({ path: file }, STORE);
  assert.deepEqual(fromText, {
    path: file,
    format: 'yaml',
    profiles: [{ name: 'sandbox', roleArn: ARN, externalId: 'ext-1' }],
    apps: ['pay'],
    mappings: [
      { path: ['apps', 'pay', 'defaultProfile'], app: 'pay', profile: 'sandbox' },
      { path: ['apps', 'pay', 'stages', 'prod'], app: 'pay', stage: 'prod', profile: 'sandbox' },
    ],
  });
  fs.writeFileSync(file, STORE);
  assert.deepEqual(native.describeStore({ path: file }), fromText);
  // A store an edit has yet to complete: a mapping to a profile not there yet.
  assert.deepEqual(native.describeStore({ path: file }, 'apps:\n  pay:\n    defaultProfile: next\n').mappings[0].profile, 'next');
  assert.deepEqual(native.describeStore({ path: file }, '').profiles, []);
  assert.throws(() => native.describeStore({ path: file }, 'profiles: [\n'), { code: 'E_INVALID_CONFIG', path: file, line: 2 });
  assert.throws(() => native.describeStore({ path: path.join(dir, 'none.yml') }), { code: 'E_UNREADABLE_CONFIG' });
});

test('the mapping path and the suggestion rule are the core\'s', () => {
  assert.deepEqual(native.mappingPath('pay', 'qa'), ['apps', 'pay', 'stages', 'qa']);
  assert.deepEqual(native.mappingPath('pay'), ['apps', 'pay', 'defaultProfile']);
  assert.equal(native.suggest('prodution', ['sandbox', 'production']), 'production');
  assert.equal(native.suggest('App', ['app', 'stage']), 'app');
  assert.equal(native.suggest('qa', ['ci']), null);
  assert.equal(native.suggest('sandbox', ['sandbox']), null);
});

test('ARNs are read by the core\'s one parser: principals in the partitions the store accepts', () => {
  assert.deepEqual(native.iamPrincipal('arn:aws-cn:sts::111111111111:assumed-role/ci/ana'), {
    kind: 'assumed-role',
    partition: 'aws-cn',
    account: '111111111111',
    name: 'ci',
    trustedArn: 'arn:aws-cn:iam::111111111111:role/ci',
  });
  assert.deepEqual(native.iamPrincipal('arn:aws:iam::111111111111:root'), {
    kind: 'root',
    partition: 'aws',
    account: '111111111111',
    trustedArn: 'arn:aws:iam::111111111111:root',
  });
  assert.equal(native.iamPrincipal('arn:aws:iam::111111111111:role/teams/ci').name, 'ci');
  // Partitions the store refuses are refused here too (role-inputs' own pattern took `awsx`).
  for (const refused of ['arn:awsx:iam::111111111111:root', 'arn:aws-mars:iam::111111111111:user/a', 'arn:aws:iam::1:root', 'deployer']) {
    assert.equal(native.iamPrincipal(refused), null, refused);
  }
  assert.throws(() => native.checkStore('profiles:\n  p:\n    roleArn: arn:awsx:iam::111111111111:role/r\n', { path: 's.yml', app: 'a', stage: 'b' }), {
    field: 'profiles.p.roleArn',
  });
});

test('every export refuses an option its struct has no field for, so a typo changes nothing', () => {
  const dir = tmp();
  const typo = (fn, name, near) =>
    assert.throws(fn, (err) => {
      assert.ok(err instanceof TypeError);
      assert.equal(err.code, 'E_INVALID_ARGUMENT');
      assert.equal(err.argument, name);
      assert.match(err.message, new RegExp(`unknown option \`${name}\` .*did you mean \`${near}\``));
      return true;
    });
  typo(() => native.clearCache({ cacheDir: dir, App: 'x' }), 'App', 'app');
  typo(() => native.listCache({ cachedir: dir }), 'cachedir', 'cacheDir');
  typo(() => native.describeProfile('a', 'b', { confgPath: 'x' }), 'confgPath', 'configPath');
  typo(() => native.checkStore(STORE, { path: 'x.yml', app: 'pay', stage: 'prod', Stage: 'qa' }), 'Stage', 'stage');
  const awsConfig = path.join(dir, 'config');
  typo(() => native.writeAwsConfigProfiles(path.join(dir, 's.yml'), [{ name: 'a', credentialProcess: 'x', Region: 'y' }], awsConfig), 'Region', 'region');
  assert.equal(fs.existsSync(awsConfig), false, 'nothing written');
  assert.throws(() => native.writeAwsConfigProfiles(path.join(dir, 's.yml'), [{ name: 'a' }], awsConfig), {
    code: 'E_INVALID_ARGUMENT',
    argument: 'credentialProcess',
  });
  assert.throws(() => native.renderAwsConfigProfiles(5, []), { code: 'E_INVALID_ARGUMENT', argument: 'configPath' });
  assert.throws(() => native.awsConfigProfiles(7), { code: 'E_INVALID_ARGUMENT', argument: 'prefix' });
  assert.throws(() => native.checkStore(STORE, null), { code: 'E_INVALID_ARGUMENT', argument: 'store' });
  assert.throws(() => native.checkStore(STORE, { app: 'pay', stage: 'prod' }), { code: 'E_INVALID_ARGUMENT', argument: 'path' });
  assert.throws(() => native.suggest('x', ['y', 5]), { code: 'E_INVALID_ARGUMENT', argument: 'candidates' });
  assert.throws(() => native.iamPrincipal(5), { code: 'E_INVALID_ARGUMENT', argument: 'arn' });
  typo(() => native.credentialProcessLine({ node: '/n', bin: '/b', app: 'a', stage: 's', configPath: '/c', confgPath: '/d' }), 'confgPath', 'configPath');
  assert.throws(() => native.credentialProcessLine({ node: '/n', bin: '/b', app: 'a', stage: 's' }), { code: 'E_INVALID_ARGUMENT', argument: 'configPath' });
});

test('a base environment value that is not a string or null is a TypeError naming the variable', async () => {
  const check = (err) => {
    assert.ok(err instanceof TypeError);
    assert.equal(err.code, 'E_INVALID_ARGUMENT');
    assert.equal(err.argument, 'baseEnvironment');
    assert.match(err.message, /^invalid baseEnvironment: `AWS_PROFILE` must be a string or null, got the number 5$/);
    return true;
  };
  await assert.rejects(require('..').resolveCredentials('a', 'b', { baseEnvironment: { AWS_PROFILE: 5 } }), check);
  assert.throws(() => native.describeProfile('a', 'b', { baseEnvironment: { AWS_PROFILE: 5 } }), check);
  assert.throws(() => native.describeProfile('a', 'b', { baseEnvironment: { AWS_PROFILE: null, cwd: '/nowhere' }, configPath: '/nowhere/x.yml' }), {
    code: 'E_MISSING_STORE',
  });
});

test('callerIdentity and resolveCredentials both reject a store error, and both throw a malformed argument at once', async () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'access-roles.yml'), 'profiles: [\n');
  const options = { cwd: dir, cacheDir: path.join(dir, 'cache') };
  for (const name of ['callerIdentity', 'resolveCredentials']) {
    let answer;
    assert.doesNotThrow(() => { answer = native[name]('pay', 'prod', options); }, name);
    assert.ok(answer instanceof Promise, name);
    await assert.rejects(answer, (err) => {
      assert.equal(err.code, 'E_INVALID_CONFIG', name);
      assert.equal(err.path, path.join(dir, 'access-roles.yml'), name);
      return true;
    });
    assert.throws(() => native[name](5, 'prod', options), { code: 'E_INVALID_ARGUMENT' }, name);
  }
});
