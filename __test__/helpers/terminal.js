'use strict';
// The one way the tests put a command on a pseudo-terminal, as on a developer's terminal: the
// system's `script`, whose command line differs between util-linux (Linux) and BSD (macOS).
// Windows has neither `script` nor a pty the tests can drive; tests that need one skip there.
//
//   const run = await runInTerminal([process.execPath, BIN, 'exec', …], { cwd, env, onOutput });
//   test('…', { skip: NO_TERMINAL }, …);

const { spawn } = require('node:child_process');

/** `'it'\''s'`: one word for `sh -c`. */
function shellQuote(word) {
  return `'${String(word).replace(/'/g, `'\\''`)}'`;
}

/**
 * How `platform`'s `script` runs the `sh -c` line `line` on a new pseudo-terminal, with no
 * typescript file: `{ file, args }`, or `{ skip }` with the reason where there is none.
 * util-linux: `script -qfec LINE /dev/null` (LINE through $SHELL, the command's status, output
 * flushed). BSD: `script -q /dev/null COMMAND…`, which runs the command as given and exits with
 * its status.
 * @param {string} line
 * @param {NodeJS.Platform} [platform]
 * @returns {{ file: string, args: string[] } | { skip: string }}
 */
function terminalCommand(line, platform = process.platform) {
  if (platform === 'linux') return { file: 'script', args: ['-qfec', line, '/dev/null'] };
  if (platform === 'darwin') return { file: 'script', args: ['-q', '/dev/null', '/bin/sh', '-c', line] };
  return { skip: `no pseudo-terminal to drive on ${platform} (no script(1))` };
}

/** Why this machine's tests cannot use a terminal, or `false` when they can (for `{ skip }`). */
const NO_TERMINAL = terminalCommand('').skip ?? false;

/**
 * Runs `words` on a pseudo-terminal, in place of the shell `script` starts (so a Ctrl-C reaches
 * only the command's own process group). Both streams arrive merged in `output`, with CRLF line
 * ends; `onOutput(output, terminal)` sees it as it grows and may type into the terminal with
 * `terminal.type(text)` (`\x03` is a Ctrl-C, `\r` a return). Resolves with the exit status, or
 * `killed by SIGNAL`, once the terminal closes.
 * @param {string[]} words
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, onOutput?: (output: string, terminal: { type: (text: string) => void, pid: number }) => void, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | string, output: string }>}
 */
function runInTerminal(words, { cwd, env, onOutput, timeoutMs = 120_000 } = {}) {
  const how = terminalCommand(`exec ${words.map(shellQuote).join(' ')}`);
  if (how.skip) return Promise.reject(new Error(how.skip));
  return new Promise((resolve, reject) => {
    const child = spawn(how.file, how.args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const terminal = { type: (text) => child.stdin.write(text), pid: child.pid };
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (onOutput) onOutput(output, terminal);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code: signal ? `killed by ${signal}` : code, output });
    });
  });
}

module.exports = { NO_TERMINAL, runInTerminal, shellQuote, terminalCommand };
