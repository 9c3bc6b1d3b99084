'use strict';
// `exec` on Windows, as pure functions that run on any machine: how cross-spawn (what exec starts
// COMMAND with) resolves and quotes a command when process.platform is win32, and which signals
// exec passes on there. Each resolution runs in a child whose process.platform says win32 before
// cross-spawn and its dependencies load, in a directory laid out like npm's Windows bin folder.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { signalPlan } = require('../lib/cli/exec');

/**
 * What cross-spawn would spawn on Windows for `command args`, with PATH holding only `bin`: the
 * file it found, the program and arguments it hands to child_process.spawn, whether they are
 * verbatim, and the error its exit hook turns a cmd.exe exit status of 1 into when nothing was found.
 */
function parseOnWindows(bin, command, args) {
  const script = `Object.defineProperty(process, 'platform', { value: 'win32' });
    delete process.env.COMSPEC;
    delete process.env.comspec;
    const crossSpawn = require('cross-spawn');
    const parsed = crossSpawn._parse(${JSON.stringify(command)}, ${JSON.stringify(args)}, { env: { PATH: ${JSON.stringify(bin)} } });
    const missing = crossSpawn._enoent.verifyENOENT(1, parsed);
    console.log(JSON.stringify({ file: parsed.file ?? null, command: parsed.command, args: parsed.args,
      verbatim: Boolean(parsed.options.windowsVerbatimArguments), missing: missing && missing.code }));`;
  const env = { ...process.env, PATHEXT: '.com;.exe;.bat;.cmd' };
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8' }));
}

/** A bin folder as npm leaves it on Windows: the sh shim, the .cmd shim and the .ps1 shim; and an .exe. */
function npmBinFolder(t) {
  const bin = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'exec-win32-')));
  t.after(() => fs.rmSync(bin, { recursive: true, force: true }));
  fs.writeFileSync(path.join(bin, 'serverless'), '#!/bin/sh\nexec node "$basedir/../serverless/bin/serverless.js" "$@"\n');
  fs.writeFileSync(path.join(bin, 'serverless.cmd'), '@ECHO off\r\nnode "%~dp0\\..\\serverless\\bin\\serverless.js" %*\r\n');
  fs.writeFileSync(path.join(bin, 'serverless.ps1'), '#!/usr/bin/env pwsh\n');
  fs.writeFileSync(path.join(bin, 'terraform.exe'), 'MZ');
  return bin;
}

test('an npm .cmd shim is found through PATHEXT and run by cmd.exe with its arguments quoted', (t) => {
  const bin = npmBinFolder(t);
  const args = ['deploy', '--stage', 'prod', 'a b&c|d', 'say "hi"', '100%PATH%'];
  for (const name of ['serverless', 'serverless.cmd']) {
    const parsed = parseOnWindows(bin, name, args);
    assert.equal(parsed.file, path.join(bin, 'serverless.cmd'), name);
    // Not the .cmd itself: Node refuses to spawn a batch file without a shell (EINVAL).
    assert.equal(parsed.command, 'cmd.exe');
    assert.equal(parsed.verbatim, true);
    assert.deepEqual(parsed.args.slice(0, 5), ['/d', '/e:on', '/v:off', '/s', '/c']);
    const line = parsed.args[5];
    assert.equal(
      line,
      `""${path.join(bin, 'serverless.cmd')}" "deploy" "--stage" "prod" "a b&c|d" "say ""hi""" "100%%cd:~,%PATH%%cd:~,%""`,
    );
    // Every metacharacter of cmd.exe (& | < > ^) stands inside a pair of quotes.
    const unquoted = line.slice(1, -1).split('"').filter((_, i) => i % 2 === 0).join('');
    assert.doesNotMatch(unquoted, /[&|<>^]/, unquoted);
    assert.equal(parsed.missing, null);
  }
});

test('an .exe is spawned directly with its arguments as given', (t) => {
  const bin = npmBinFolder(t);
  const parsed = parseOnWindows(bin, 'terraform', ['apply', 'a b&c']);
  assert.equal(parsed.file, path.join(bin, 'terraform.exe'));
  assert.equal(parsed.command, 'terraform');
  assert.deepEqual(parsed.args, ['apply', 'a b&c']);
  assert.equal(parsed.verbatim, false);
});

test('a command found nowhere is ENOENT once cmd.exe exits 1, so exec says E_COMMAND_NOT_FOUND and 127', (t) => {
  const bin = npmBinFolder(t);
  const parsed = parseOnWindows(bin, 'no-such-command', ['x']);
  assert.equal(parsed.file, null);
  assert.equal(parsed.command, 'cmd.exe', 'cmd.exe tries it, and says it is not recognised');
  assert.equal(parsed.missing, 'ENOENT');
});

test('exec passes no signal on under Windows, and SIGINT, SIGTERM and SIGHUP elsewhere', () => {
  const windows = signalPlan('win32');
  assert.deepEqual(windows.forward, [], 'the console signals the command itself; child.kill() would be TerminateProcess');
  assert.ok(!windows.listen.includes('SIGTERM'), 'Node never raises SIGTERM on Windows');
  assert.ok(windows.listen.includes('SIGINT') && windows.listen.includes('SIGHUP'), 'exec outlives the command');
  for (const platform of ['linux', 'darwin']) {
    assert.deepEqual(signalPlan(platform), { listen: ['SIGINT', 'SIGTERM', 'SIGHUP'], forward: ['SIGINT', 'SIGTERM', 'SIGHUP'] });
  }
});
