'use strict';
// The store-shape rows of `npm run bench` (also alone: `node scripts/bench.js --stores`): how
// long the addon takes to parse or refuse the worst profile stores up to the 1 MiB cap (issue 12:
// ≤ 100 ms each in a release build), next to a small ordinary store measured the same way.
// Speed is measured here, never asserted in tests; the tests check each refusal's message.

const fs = require('node:fs');
const path = require('node:path');

const CAP = 1024 * 1024 - 1024;
const ARN = 'arn:aws:iam::123456789012:role/serverless-deploy';
const HEAD = `defaultProfile: p\nprofiles:\n  p:\n    roleArn: ${ARN}\n    policy: `;

/** `unit` repeated after `head` until the text is just under the cap, then `tail`. */
function fill(head, unit, tail = '\n') {
  return `${head}${unit.repeat(Math.floor((CAP - head.length - tail.length) / unit.length))}${tail}`;
}

/** [row name, file name, text] for each shape. */
function shapes() {
  const blockLevels = Math.floor(Math.sqrt(2 * CAP)) - 10;
  const laughs = Array.from({ length: 9 }, (_, i) => (i === 0
    ? 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
    : `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`)).join('\n');
  const profiles = Array.from({ length: 3000 }, (_, i) => `  p${i}:\n    roleArn: ${ARN}${i}\n    region: us-east-1\n`);
  return [
    ['ordinary store (the README example, 0.6 KB): parsed', 'access-roles.yml', fs.readFileSync(path.join(__dirname, '..', 'crates', 'core', 'test-data', 'design-example.yml'), 'utf8')],
    ['3,000 profiles (0.2 MiB, just under the node limit): parsed', 'access-roles.yml', `defaultProfile: p0\nprofiles:\n${profiles.join('')}`],
    ['1 MiB of nested `[`: refused', 'access-roles.yml', fill(HEAD, '[')],
    ['1 MiB of nested `{a: `: refused', 'access-roles.yml', fill(HEAD, '{a: ')],
    ['1 MiB of nested `[` closed again: refused', 'access-roles.yml', fill(HEAD, '[', `${']'.repeat(1000)}\n`).slice(0, CAP)],
    [`${blockLevels} levels of block mappings (1 MiB): refused`, 'access-roles.yml', Array.from({ length: blockLevels }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
    ['1 MiB of one-letter scalars: refused', 'access-roles.yml', fill(`${HEAD}[`, 'a, ', ']\n')],
    ['aliases repeating 10^9 nodes (0.6 KB): refused', 'access-roles.yml', laughs],
    ['1 MiB of nested `[` in a `.json` store: refused', 'access-roles.json', fill(`{"profiles": {"p": {"roleArn": "${ARN}", "policy": `, '[')],
  ];
}

/**
 * Times `describeProfile` on each shape, `runs` times (a fresh file each time, so no parsed
 * store is reused); returns the markdown rows and whether every shape met the target.
 */
function measureStores(describeProfile, work, runs) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  let allMet = true;
  let n = 0;
  for (const [name, file, text] of shapes()) {
    const times = [];
    let outcome;
    for (let round = 0; round < runs; round++) {
      const dir = path.join(work, `store-${(n += 1)}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, file), text);
      const t0 = process.hrtime.bigint();
      try {
        describeProfile('svc', 'dev', { cwd: dir });
        outcome = 'parsed';
      } catch (err) {
        outcome = err.code;
      }
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const ms = median(times);
    allMet &&= ms <= 100;
    rows.push(`| ${name} | ${ms.toFixed(1)} ms | ${outcome}, ${(text.length / 1024).toFixed(0)} KiB |`);
  }
  return [
    '| store shape (describeProfile, one call) | median | outcome, size |',
    '| --- | ---: | --- |',
    ...rows,
    '',
    '| target | | |',
    '| --- | --- | --- |',
    `| every store up to 1 MiB parsed or refused in ≤ 100 ms | | ${allMet ? 'met' : '**not met**'} |`,
  ].join('\n');
}

module.exports = { measureStores };
