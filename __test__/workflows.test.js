'use strict';
// What the CI workflows and .ci/run call exists and takes the flags given (actionlint checks the
// workflow's syntax and shell, not that `scripts/x` is there). See helpers/workflows.js.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { checkWorkflow, checkRun, repoWorkflows, ROOT } = require('./helpers/workflows');

const RELEASE = '.github/workflows/release.yml';
const PACK_INSTALL_STEP = 'node scripts/pack-install.js --prebuilt';
const releaseText = () => fs.readFileSync(path.join(ROOT, RELEASE), 'utf8');

/** release.yml with its pack-install step's command replaced. */
function releaseWith(command) {
  const text = releaseText();
  assert.ok(text.includes(`run: ${PACK_INSTALL_STEP}\n`), `${RELEASE} no longer runs \`${PACK_INSTALL_STEP}\``);
  return text.replace(`run: ${PACK_INSTALL_STEP}\n`, `run: ${command}\n`);
}

test('every run: step of every workflow calls scripts that exist, with flags they accept', () => {
  const workflows = repoWorkflows();
  assert.ok(workflows.length >= 1);
  for (const [file, text] of workflows) assert.deepEqual(checkWorkflow(text, file), [], file);
});

test('.ci/run calls scripts that exist, with flags they accept', () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  assert.deepEqual(checkRun(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), '.', scripts), []);
});

test('the old pack-install step, a shell script that does not exist, fails with its job and step', () => {
  assert.deepEqual(checkWorkflow(releaseWith('bash scripts/pack-install.sh --no-build'), RELEASE), [
    `${RELEASE}: job "pack-install", step "bash scripts/pack-install.sh --no-build": scripts/pack-install.sh does not exist`,
  ]);
});

test('a flag the script does not accept fails, naming the flags it does', () => {
  assert.deepEqual(checkWorkflow(releaseWith('node scripts/pack-install.js --no-build'), RELEASE), [
    `${RELEASE}: job "pack-install", step "node scripts/pack-install.js --no-build": scripts/pack-install.js does not accept --no-build (it accepts: --release --cross --prebuilt --keep --help)`,
  ]);
});

test('a flag to a script that takes none, and an npm script that package.json lacks, fail', () => {
  const text = releaseWith('bash scripts/setup-python.sh --force && npm run --silent pack-install');
  const step = 'bash scripts/setup-python.sh --force && npm run --silent pack-install';
  assert.deepEqual(checkWorkflow(text, RELEASE), [
    `${RELEASE}: job "pack-install", step "${step}": scripts/setup-python.sh does not accept --force (it accepts: no flags)`,
    `${RELEASE}: job "pack-install", step "${step}": \`npm run pack-install\`: package.json has no script "pack-install"`,
  ]);
});

test('flags passed through `npm run X --` are checked against the script X runs', () => {
  const step = 'npm run pack:check -- --prebuilt && npm run --silent pack:check -- --no-build';
  assert.deepEqual(checkWorkflow(releaseWith(step), RELEASE), [
    `${RELEASE}: job "pack-install", step "${step}": \`npm run pack:check\`: scripts/pack-install.js does not accept --no-build (it accepts: --release --cross --prebuilt --keep --help)`,
  ]);
});

test('a named step is reported by its name, and a working-directory is honoured', () => {
  const text = [
    'on: push',
    'jobs:',
    '  check:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - name: Pack and install',
    '        working-directory: scripts',
    '        run: |',
    '          echo packing',
    '          node ./scripts/pack-install.js',
    '',
  ].join('\n');
  assert.deepEqual(checkWorkflow(text, 'x.yml'), [
    'x.yml: job "check", step "Pack and install": scripts/scripts/pack-install.js does not exist',
  ]);
});

test('the test matrix runs the lowest Node.js that engines allows, and the platform packages promise the same', () => {
  const semver = require('semver');
  const { engines } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const dir of fs.readdirSync(path.join(ROOT, 'npm'))) {
    const platform = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', dir, 'package.json'), 'utf8'));
    assert.deepEqual(platform.engines, engines, `npm/${dir}/package.json engines`);
  }
  const { jobs } = require('yaml').parse(releaseText());
  const nodes = jobs.test.strategy.matrix.include.map((row) => String(row.node));
  for (const node of nodes) assert.ok(semver.satisfies(semver.coerce(node), engines.node), `node ${node} is outside engines ${engines.node}`);
  const floor = semver.minVersion(engines.node);
  assert.ok(nodes.includes(`${floor.major}.${floor.minor}`), `the matrix (${nodes.join(', ')}) lacks the floor of engines ${engines.node}`);
});

test('the release size guard enforces the budget BENCHMARKS.md records, and the last measured shipped build fits it', () => {
  const { env } = require('yaml').parse(releaseText());
  const budget = Number(env.MAX_ADDON_BYTES);
  assert.equal(budget, 5 * 1024 * 1024, 'the budget decided in issue 22 is 5 MiB');
  const benchmarks = fs.readFileSync(path.join(ROOT, 'BENCHMARKS.md'), 'utf8');
  const recorded = /\*\*Budget, [\d.]+ MiB \(([\d,]+) bytes, the release workflow's `MAX_ADDON_BYTES`\)/.exec(benchmarks);
  assert.ok(recorded, 'BENCHMARKS.md does not record the budget with `MAX_ADDON_BYTES`');
  assert.equal(Number(recorded[1].replaceAll(',', '')), budget, 'BENCHMARKS.md and release.yml disagree on the budget');
  const shipped = /The last measured shipped build[^*]*\*\*([\d,]+) bytes\*\*/.exec(benchmarks);
  assert.ok(shipped, 'BENCHMARKS.md does not name the last measured shipped build');
  assert.ok(Number(shipped[1].replaceAll(',', '')) <= budget, `the last measured build (${shipped[1]} bytes) is over the budget`);
});
