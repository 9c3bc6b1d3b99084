'use strict';
// The bad-input matrix: profile stores, files and API arguments that must each end in a coded
// error — never a panic, a crash of node, or a secret in the text. No AWS is needed: every case
// fails before STS would be called.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { resolveCredentials, describeProfile, fromAccessRole } = require('..');

const ARN = 'arn:aws:iam::123456789012:role/serverless-deploy';
const store = (profile) => `defaultProfile: p\nprofiles:\n  p:\n    roleArn: ${ARN}\n${profile}`;

/** A message at its file, line and column: what the shapes the Rust parser tests own must give here. */
const LOCATED = /^\/\S+:\d+:\d+: \S/;

/** A store whose default profile p0 is assumed via p1, … via p{n-1}. */
const chain = (n) =>
  `defaultProfile: p0\nprofiles:\n${Array.from({ length: n }, (_, i) => `  p${i}:\n    roleArn: ${ARN}\n${i + 1 < n ? `    via: p${i + 1}\n` : ''}`).join('')}`;

/** Store texts that must be E_INVALID_CONFIG, with a fragment of the expected message. */
const INVALID_STORES = [
  ['unknown top-level key', `profile:\n  p:\n    roleArn: ${ARN}\n`, /did you mean `profiles`/],
  ['unknown profile key', store('    rolArn: x\n'), /unknown field `rolArn`/],
  ['unknown app key', `${store('')}apps:\n  a:\n    stage: {}\n`, /did you mean `stages`/],
  ['missing roleArn', 'profiles:\n  p: {}\n', /missing field `roleArn`/],
  ['roleArn is a user', 'profiles:\n  p:\n    roleArn: arn:aws:iam::123456789012:user/bob\n', /names no role/],
  ['roleArn short account', 'profiles:\n  p:\n    roleArn: arn:aws:iam::1234:role/r\n', /not 12 digits/],
  ['roleArn unknown partition', 'profiles:\n  p:\n    roleArn: arn:aws-mars:iam::123456789012:role/r\n', /unknown partition/],
  ['roleArn not an ARN', 'profiles:\n  p:\n    roleArn: serverless-deploy\n', /not an ARN/],
  ['roleArn with a region', 'profiles:\n  p:\n    roleArn: arn:aws:iam:us-east-1:123456789012:role/r\n', /not an IAM ARN/],
  ['roleArn a list', 'profiles:\n  p:\n    roleArn: [a]\n', LOCATED],
  ['roleArn empty', 'profiles:\n  p:\n    roleArn: ""\n', /not an ARN/],
  ['roleArn huge', `profiles:\n  p:\n    roleArn: arn:aws:iam::123456789012:role/${'x'.repeat(100000)}\n`, /role name/],
  ['duration too short', store('    durationSeconds: 899\n'), /between 900 and 43200/],
  ['duration too long', store('    durationSeconds: 43201\n'), /between 900 and 43200/],
  ['duration negative', store('    durationSeconds: -5\n'), /between 900 and 43200/],
  ['duration a string', store('    durationSeconds: one hour\n'), /whole number of seconds/],
  ['duration a quoted number', store("    durationSeconds: '900'\n"), /durationSeconds must be a number, found the string '900': write 900 without quotes$/],
  ['duration a float', store('    durationSeconds: 3600.5\n'), /whole number of seconds/],
  ['duration past 64 bits', store('    durationSeconds: 99999999999999999999\n'), /durationSeconds: durationSeconds must be between 900 and 43200, found 99999999999999999999$/],
  ['duration past 64 bits, negative', store('    durationSeconds: -99999999999999999999\n'), /must be between 900 and 43200, found -99999999999999999999$/],
  ['externalId too short', store('    externalId: x\n'), /2 to 1224/],
  ['externalId bad character', store('    externalId: "a b"\n'), /only letters, digits/],
  ['region malformed', store('    region: mars\n'), /not an AWS region/],
  ['sessionName unknown placeholder', store('    sessionName: "{usr}"\n'), /unknown placeholder `\{usr\}`/],
  ['sessionName unclosed', store('    sessionName: "{user"\n'), /without a closing/],
  ['mfaSerial malformed', store('    mfaSerial: abc\n'), /not an MFA device/],
  ['sessionTags reserved key', store('    sessionTags: {"aws:x": y}\n'), /session tag key/],
  ['transitive key not a tag', store('    transitiveTagKeys: [team]\n'), /transitive tag key `team`/],
  ['policy without Statement', store('    policy: {Version: "2012-10-17"}\n'), /Statement/],
  ['policy string not JSON', store('    policy: "{oops"\n'), /not JSON/],
  ['via undefined', store('    via: hub\n'), /profile `hub` is not defined/],
  ['via loop', store('    via: p\n'), /loop/],
  ['defaultProfile undefined', `defaultProfile: prod\nprofiles:\n  p:\n    roleArn: ${ARN}\n`, /profile `prod` is not defined/],
  ['stage maps to undefined', `${store('')}apps:\n  a:\n    stages:\n      prod: pp\n`, /profile `pp` is not defined under `profiles`; defined: p$/],
  ['duplicate profile', `profiles:\n  p:\n    roleArn: ${ARN}\n  p:\n    roleArn: ${ARN}\n`, /duplicate/i],
  ['top level a list', '- a\n- b\n', LOCATED],
  ['top level a scalar', 'hello\n', LOCATED],
  ['a profile named __proto__', `profiles:\n  __proto__:\n    roleArn: ${ARN}\n`, /:3:5: profiles\.__proto__: profile name `__proto__` is reserved/],
  ['an app named constructor', `${store('')}apps:\n  constructor:\n    defaultProfile: p\n`, /app name `constructor` is reserved/],
  ['a via chain of 11 profiles', chain(11), /access-roles\.yml:5:10: profiles\.p0\.via: profile `p0` is assumed through a chain of more than 10 roles \(p0 -> p1 -> p2 -> …\)/],
  ['a via chain of 40 profiles', chain(40), /a chain of more than 10 roles/],
  ['empty file', '', /empty/],
  ['only a comment', '# nothing here\n', /empty/],
  ['tab indentation', 'profiles:\n\tp: {}\n', /tab/i],
  ['unterminated flow mapping', 'profiles: {p: {roleArn: x}\n', LOCATED],
  ['undefined alias', 'profiles:\n  p: *nope\n', LOCATED],
  ['NUL byte', `profiles:\n  p:\n    roleArn: "${ARN}\0"\n`, LOCATED],
  ['unterminated JSON', `{"profiles": {"p": {"roleArn": "${ARN}"}`, LOCATED],
  // Shapes that once took minutes to refuse: refused before the full parse, at the node.
  ['200,000 nested flow sequences', store(`    policy: ${'['.repeat(200000)}\n`), /^.+:5:\d+: mappings and sequences nested deeper than 64 levels/],
  ['nested flow mappings up to the size cap', store(`    policy: ${'{a: '.repeat(260000)}\n`), /nested deeper than 64 levels/],
  ['deep block nesting', Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'), /:65:65: mappings and sequences nested deeper/],
  ['aliases repeating a million nodes', Array.from({ length: 7 }, (_, i) => (i === 0
    ? 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
    : `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`)).join('\n'), /:5:\d+: more than 20000 mappings, sequences and scalars \(aliases counting/],
  ['a megabyte of one-letter scalars', store(`    policy: [${'a, '.repeat(349000)}]\n`), /:5:\d+: more than 20000 mappings, sequences and scalars/],
];

/** `.json` stores that must be E_INVALID_CONFIG: strict JSON, with line and column. */
const INVALID_JSON_STORES = [
  ['a trailing comma', `{"profiles": {"p": {"roleArn": "${ARN}"},\n }}`, /access-roles\.json:2:2: trailing comma/],
  ['a comment', `{"profiles": {} // none\n}`, /access-roles\.json:1:17: /],
  ['single quotes', `{'profiles': {}}`, /access-roles\.json:1:2: key must be a string/],
  ['YAML', `profiles:\n  p:\n    roleArn: ${ARN}\n`, /access-roles\.json:1:1: expected value/],
  ['a quoted durationSeconds', `{"profiles": {"p": {"roleArn": "${ARN}", "durationSeconds": "900"}}}`, /access-roles\.json:1:\d+: .*durationSeconds must be a number, found the string '900'/],
  ['nesting past the parser limit', `{"profiles": {"p": {"roleArn": "${ARN}", "policy": ${'['.repeat(200000)}`, /access-roles\.json:1:\d+: recursion limit exceeded/],
];

/** API arguments that must be E_INVALID_ARGUMENT. */
const INVALID_ARGUMENTS = [
  ['empty app', ['', 'dev']],
  ['blank stage', ['svc', '   ']],
  ['app with a NUL', ['s\0vc', 'dev']],
  ['app with a newline', ['svc\n', 'dev']],
  ['stage too long', ['svc', 'x'.repeat(129)]],
  ['app __proto__', ['__proto__', 'dev']],
  ['app constructor', ['constructor', 'dev']],
  ['stage prototype', ['svc', 'prototype']],
  ['malformed region option', ['svc', 'dev', { region: 'the-moon' }]],
  ['uppercase region option', ['svc', 'dev', { region: 'US-EAST-1' }]],
];

let dir;
let counter = 0;

before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sar-bad-input-')));
  process.env.HOME = dir;
  delete process.env.SERVERLESS_ACCESS_ROLES_CONFIG;
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeStore(content, name = 'access-roles.yml') {
  const d = path.join(dir, `case-${(counter += 1)}`);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, name), content);
  return d;
}

/** Both entry points must fail the same way: describeProfile throws, resolveCredentials rejects. */
async function expectCode(args, code, pattern, properties = {}) {
  const check = (err) => {
    assert.equal(err.code, code, err.message);
    assert.ok(err instanceof Error);
    if (pattern) assert.match(err.message, pattern);
    for (const [name, value] of Object.entries(properties)) assert.deepEqual(err[name], value, name);
    return true;
  };
  assert.throws(() => describeProfile(...args), check);
  await assert.rejects(resolveCredentials(...args), check);
}

for (const [name, text, pattern] of INVALID_STORES) {
  test(`store: ${name} is E_INVALID_CONFIG`, async () => {
    const cwd = writeStore(text);
    await expectCode(['svc', 'dev', { cwd }], 'E_INVALID_CONFIG', pattern);
  });
}

for (const [name, text, pattern] of INVALID_JSON_STORES) {
  test(`json store: ${name} is E_INVALID_CONFIG`, async () => {
    const cwd = writeStore(text, 'access-roles.json');
    await expectCode(['svc', 'dev', { cwd }], 'E_INVALID_CONFIG', pattern);
  });
}

test('json store: a strict JSON store is read', () => {
  const cwd = writeStore(JSON.stringify({ defaultProfile: 'p', profiles: { p: { roleArn: ARN } } }), 'access-roles.json');
  assert.equal(describeProfile('svc', 'dev', { cwd }).roleArn, ARN);
});

test('a UTF-8 byte-order mark is accepted in YAML stores (either first key) and JSON ones', () => {
  const bom = '\uFEFF';
  const stores = [
    [`${bom}profiles:\n  p:\n    roleArn: ${ARN}\ndefaultProfile: p\n`, 'access-roles.yml'],
    [`${bom}defaultProfile: p\nprofiles:\n  p:\n    roleArn: ${ARN}\n`, 'access-roles.yml'],
    [`${bom}${JSON.stringify({ defaultProfile: 'p', profiles: { p: { roleArn: ARN } } })}`, 'access-roles.json'],
  ];
  for (const [text, name] of stores) {
    assert.equal(describeProfile('svc', 'dev', { cwd: writeStore(text, name) }).roleArn, ARN, `${name}: ${JSON.stringify(text.slice(0, 20))}`);
  }
  const located = writeStore(`${bom}defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::1234:role/r\n`);
  assert.throws(() => describeProfile('svc', 'dev', { cwd: located }), { code: 'E_INVALID_CONFIG', message: /access-roles\.yml:4:\d+: .*not 12 digits/ });
});

for (const [name, args] of INVALID_ARGUMENTS) {
  test(`argument: ${name} is E_INVALID_ARGUMENT`, async () => {
    const cwd = writeStore(store(''));
    const [app, stage, options = {}] = args;
    await expectCode([app, stage, { cwd, ...options }], 'E_INVALID_ARGUMENT');
  });
}

/** JS values of the wrong type or range, each a TypeError E_INVALID_ARGUMENT naming the argument. */
const WRONG_TYPES = [
  ['app a number', [42, 'dev'], /^invalid app: expected a string, got the number 42$/],
  ['stage null', ['svc', null], /^invalid stage: expected a string, got null$/],
  ['options a string', ['svc', 'dev', 'yes'], /^invalid options: expected an object, got a string$/],
  ['options an array', ['svc', 'dev', []], /^invalid options: expected an object, got an array$/],
  ['cache a string', ['svc', 'dev', { cache: 'yes' }], /^invalid cache: expected true or false, got a string$/],
  ['region a number', ['svc', 'dev', { region: 5 }], /^invalid region: expected a string, got the number 5$/],
  ['cwd an object', ['svc', 'dev', { cwd: {} }], /^invalid cwd: expected a string, got an object$/],
  ['timeoutSeconds a string', ['svc', 'dev', { timeoutSeconds: '20' }], /^invalid timeoutSeconds: expected a whole number of seconds, got a string$/],
  ['negative refreshMarginSeconds', ['svc', 'dev', { refreshMarginSeconds: -1 }], /^invalid refreshMarginSeconds: expected a whole number of seconds, 0 or more, got -1$/],
  ['fractional refreshMarginSeconds', ['svc', 'dev', { refreshMarginSeconds: 1.5 }], /got 1\.5$/],
  ['negative timeoutSeconds', ['svc', 'dev', { timeoutSeconds: -20 }], /^invalid timeoutSeconds: .*got -20$/],
  ['infinite timeoutSeconds', ['svc', 'dev', { timeoutSeconds: Infinity }], /got Infinity$/],
  ['an unknown option', ['svc', 'dev', { regoin: 'eu-west-1' }], /^unknown option `regoin` \(did you mean `region`\?\)$/],
  ['an unknown option far from any', ['svc', 'dev', { colour: 'blue' }], /^unknown option `colour`; the options are configPath, cwd, region/],
];

for (const [name, args, pattern] of WRONG_TYPES) {
  test(`argument: ${name} is a TypeError E_INVALID_ARGUMENT`, async () => {
    const check = (err) => {
      assert.ok(err instanceof TypeError, `${err.constructor.name}: ${err.message}`);
      assert.equal(err.code, 'E_INVALID_ARGUMENT');
      assert.match(err.message, pattern);
      return true;
    };
    assert.throws(() => describeProfile(...args), check);
    await assert.rejects(resolveCredentials(...args), check);
  });
}

test('argument: unset options may be undefined or null', () => {
  const cwd = writeStore(store(''));
  const options = { cwd, region: undefined, cache: null, refreshMarginSeconds: null, configPath: undefined };
  assert.equal(describeProfile('svc', 'dev', options).profile, 'p');
  assert.equal(describeProfile('svc', 'dev', { cwd, baseEnvironment: undefined }).profile, 'p');
});

test('argument: fromAccessRole refuses an unknown option when asked for keys', async () => {
  const cwd = writeStore(store(''));
  const provider = fromAccessRole({ app: 'svc', stage: 'dev', cwd, regoin: 'eu-west-1' });
  await assert.rejects(provider(), { name: 'TypeError', code: 'E_INVALID_ARGUMENT', message: /did you mean `region`/ });
  assert.throws(() => fromAccessRole({ app: 42, stage: 'dev' }), { name: 'TypeError', code: 'E_INVALID_ARGUMENT' });
});

test('argument: control characters echoed back are escaped', async () => {
  const cwd = writeStore(store(''));
  await expectCode(['svc', 'dev', { cwd, region: 'us-east-1\n' }], 'E_INVALID_ARGUMENT', /`us-east-1\\n` is not an AWS region/);
});

test('file: a directory where the store should be is E_UNREADABLE_CONFIG', async () => {
  const d = path.join(dir, 'dir-case');
  fs.mkdirSync(path.join(d, 'access-roles.yml'), { recursive: true });
  await expectCode(['svc', 'dev', { cwd: d }], 'E_UNREADABLE_CONFIG', /directory/);
});

test('file: a store that is not UTF-8 is E_UNREADABLE_CONFIG', async () => {
  const cwd = writeStore(Buffer.from([0x70, 0x72, 0xff, 0xfe, 0x0a]));
  await expectCode(['svc', 'dev', { cwd }], 'E_UNREADABLE_CONFIG', /not UTF-8/);
});

test('file: a store over 1 MiB is refused unread', async () => {
  const cwd = writeStore(`# ${'x'.repeat(1024 * 1024)}\n`);
  await expectCode(['svc', 'dev', { cwd }], 'E_UNREADABLE_CONFIG', /at most 1 MiB/);
});

test('file: a symlink loop is E_UNREADABLE_CONFIG, a symlink to a good store works', async () => {
  const d = path.join(dir, 'links');
  fs.mkdirSync(d);
  fs.symlinkSync('loop-b.yml', path.join(d, 'loop-a.yml'));
  fs.symlinkSync('loop-a.yml', path.join(d, 'loop-b.yml'));
  const loopPath = path.join(d, 'loop-a.yml');
  assert.throws(() => describeProfile('svc', 'dev', { configPath: loopPath }), (err) =>
    ['E_UNREADABLE_CONFIG', 'E_MISSING_STORE'].includes(err.code));
  const real = writeStore(store(''));
  fs.symlinkSync(path.join(real, 'access-roles.yml'), path.join(d, 'access-roles.yml'));
  assert.equal(describeProfile('svc', 'dev', { cwd: d }).profile, 'p');
});

test('file: an unreadable store is E_UNREADABLE_CONFIG', { skip: process.getuid?.() === 0 && 'root reads any file' }, async () => {
  const cwd = writeStore(store(''));
  fs.chmodSync(path.join(cwd, 'access-roles.yml'), 0o000);
  await expectCode(['svc', 'dev', { cwd }], 'E_UNREADABLE_CONFIG');
});

test('file: a configPath that does not exist is E_MISSING_STORE naming it and the option', async () => {
  const missing = path.join(dir, 'nowhere', 'roles.yml');
  await expectCode(['svc', 'dev', { configPath: missing }], 'E_MISSING_STORE',
    /^profile store .*nowhere\/roles\.yml does not exist; the store path given names it: correct the path, or unset it to search from the service directory upward$/,
    { path: missing, hint: 'configPath' });
});

test('file: a SERVERLESS_ACCESS_ROLES_CONFIG that does not exist is E_MISSING_STORE naming the variable', async () => {
  process.env.SERVERLESS_ACCESS_ROLES_CONFIG = path.join(dir, 'nowhere', 'env.yml');
  try {
    await expectCode(['svc', 'dev', { cwd: dir }], 'E_MISSING_STORE',
      /env\.yml does not exist; SERVERLESS_ACCESS_ROLES_CONFIG names it: correct the path, or unset it/, { hint: undefined });
  } finally {
    delete process.env.SERVERLESS_ACCESS_ROLES_CONFIG;
  }
});

test('store: an unknown app is E_NO_PROFILE suggesting the closest app in the store', async () => {
  const cwd = writeStore(`profiles:\n  p:\n    roleArn: ${ARN}\napps:\n  payments:\n    stages:\n      prod: p\n`);
  await expectCode(['paymnets', 'prod', { cwd }], 'E_NO_PROFILE', /app `paymnets` stage `prod` in .+ \(did you mean app `payments`\?\)/, {
    app: 'paymnets',
    stage: 'prod',
    nearApp: 'payments',
    hint: 'app',
    path: path.join(cwd, 'access-roles.yml'),
  });
  await assert.rejects(resolveCredentials('billing', 'prod', { cwd }), (err) => !err.message.includes('did you mean'));
});
