'use strict';
// The controlling terminal, for a question when stdin and stdout are not it: an AWS SDK runs a
// credential_process with both as pipes (stdout carries the keys), yet the person who started
// the tool sits at the terminal it was started from.

const fs = require('node:fs');
const tty = require('node:tty');

/**
 * Opens the controlling terminal as `{ stdin, stderr, close }`: streams on /dev/tty, one for
 * reading and one for writing, each on its own descriptor. `null` when the process has none (CI,
 * a service, a detached child) or the platform has no /dev/tty (Windows).
 * @returns {{ stdin: tty.ReadStream, stderr: tty.WriteStream, close: () => void } | null}
 */
function openControllingTerminal() {
  if (process.platform === 'win32') return null;
  let input;
  let output;
  try {
    input = fs.openSync('/dev/tty', 'r');
    output = fs.openSync('/dev/tty', 'w');
  } catch {
    if (input !== undefined) fs.closeSync(input);
    return null; // ENXIO: no controlling terminal
  }
  const stdin = new tty.ReadStream(input);
  const stderr = new tty.WriteStream(output);
  return {
    stdin,
    stderr,
    close: () => {
      stdin.destroy();
      stderr.destroy();
    },
  };
}

module.exports = openControllingTerminal;
