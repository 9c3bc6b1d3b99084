'use strict';
// Every link in the README resolves where users read it, the npm package page: a relative link
// names a file in the packed tarball (`npm pack --dry-run --json` lists them) and, with `#x`, a
// heading there; an anchor names a heading of the README; a link into this repository on GitHub
// names a file that exists in it.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** https://github.com/OWNER/NAME, from package.json's repository. */
const REPOSITORY = PACKAGE.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The files `npm publish` would ship, as `npm pack --dry-run` lists them. */
function packedFiles() {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline', '--no-update-notifier'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Set(JSON.parse(out)[0].files.map((file) => file.path));
}

/** GitHub's (and npm's) anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown) {
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set(
    [...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
      heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'),
    ),
  );
}

/** The targets of the README's links and images (inline, reference definitions, HTML), outside code. */
function linksOf(markdown) {
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [
    ...outsideCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g),
    ...outsideCode.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm),
    ...outsideCode.matchAll(/\b(?:href|src)="([^"]+)"/g),
  ].map(([, target]) => target);
}

/** Whether `target` resolves for a reader of the package page; the reason when it does not. */
function problem(target, files, readmeAnchors) {
  if (target.startsWith('#')) return readmeAnchors.has(target.slice(1)) ? null : 'no such heading in README.md';
  if (target.startsWith(`${REPOSITORY}/`)) {
    const file = /^\/(?:blob|tree)\/[^/]+\/([^#?]+)/.exec(target.slice(REPOSITORY.length));
    if (!file) return null; // the repository's own pages (issues, releases)
    return fs.existsSync(path.join(ROOT, file[1])) ? null : `${file[1]} is not in the repository`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // another site
  const [file, anchor] = target.split('#');
  const normal = path.posix.normalize(file);
  if (!files.has(normal)) return `${normal} is not in the package (add it to "files" in package.json, or link ${REPOSITORY}/blob/main/${normal})`;
  if (anchor !== undefined && normal.endsWith('.md')) {
    const anchors = anchorsOf(fs.readFileSync(path.join(ROOT, normal), 'utf8'));
    if (!anchors.has(anchor)) return `${normal} has no heading #${anchor}`;
  }
  return null;
}

test('every relative link of the README names a file of the packed tarball, and every anchor a heading', () => {
  const files = packedFiles();
  assert.ok(files.has('README.md') && files.has('package.json'), 'npm pack --dry-run listed the package');
  const links = linksOf(README);
  assert.ok(links.some((link) => !/^[a-z]+:|^#/.test(link)), 'the README has relative links to check');
  const broken = links.map((link) => [link, problem(link, files, anchorsOf(README))]).filter(([, why]) => why);
  assert.deepEqual(broken, [], 'links that do not resolve from the npm package page');
});

test('the check finds what a package page cannot show', () => {
  const files = new Set(['README.md', 'examples/access-role-hook.js']);
  const anchors = anchorsOf('# Title\n## Quick start\n```sh\n# not a heading\n```\n');
  assert.deepEqual([...anchors], ['title', 'quick-start']);
  assert.equal(problem('examples/access-role-hook.js', files, anchors), null);
  assert.equal(problem('./examples/../examples/access-role-hook.js', files, anchors), null);
  assert.match(problem('BENCHMARKS.md', files, anchors), /^BENCHMARKS\.md is not in the package/);
  assert.match(problem('#not-a-heading', files, anchors), /no such heading/);
  assert.equal(problem(`${REPOSITORY}/blob/main/BENCHMARKS.md`, files, anchors), null);
  assert.match(problem(`${REPOSITORY}/blob/main/NOPE.md`, files, anchors), /NOPE\.md is not in the repository/);
  assert.deepEqual(linksOf('[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n![i](img.png "t")\n[ref]: docs/r.md\n<img src="logo.svg">'), [
    'x.md', 'img.png', 'docs/r.md', 'logo.svg',
  ]);
});

test('the README opens with the quick start, and ends with Develop: two repository commands and CONTRIBUTING.md', () => {
  const headings = [...README.matchAll(/^## (.+)$/gm)].map(([, heading]) => heading);
  assert.equal(headings[0], 'Quick start');
  assert.equal(headings.at(-1), 'Develop');
  const develop = README.slice(README.indexOf('\n## Develop\n'));
  const commands = [...develop.matchAll(/^```sh\n([\s\S]*?)^```/gm)].flatMap(([, block]) => block.split('\n').filter(Boolean).map((line) => line.split('#')[0].trim()));
  assert.deepEqual(commands, ['bash scripts/demo.sh', 'bash scripts/test.sh']);
  for (const command of commands) assert.ok(fs.existsSync(path.join(ROOT, command.split(' ')[1])), command);
  assert.ok(develop.includes(`(${REPOSITORY}/blob/main/CONTRIBUTING.md)`), 'Develop links CONTRIBUTING.md');
  assert.ok(fs.existsSync(path.join(ROOT, 'CONTRIBUTING.md')));
});
