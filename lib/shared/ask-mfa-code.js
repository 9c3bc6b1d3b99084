'use strict';
// The MFA question, shared by the plugin (on the process's terminal) and the bin (on the
// controlling terminal, ../cli/controlling-terminal).

const readline = require('node:readline');

/**
 * Asks for the current code of an MFA device on the terminal and answers it, trimmed.
 *
 * In the plugin the question goes to stderr, where both frameworks write their logs, so stdout keeps only a
 * command's output (`access-role template > role.yml`, `print`). Neither framework offers a
 * text prompt to plugins: osls's own helper only confirms, and serverless v3's inquirer is not
 * handed to plugins and writes to stdout. Ctrl-C or end of input rejects, so the caller reports
 * the original "code required" error rather than hanging; so do streams that are not both
 * terminals, since no one would see the question.
 *
 * @param {string} device the MFA device's ARN or serial, shown in the question
 * @param {{ stdin: NodeJS.ReadableStream, stderr: NodeJS.WritableStream }} [terminal]
 * @returns {Promise<string>}
 */
function askMfaCode(device, { stdin, stderr } = process) {
  // Both must be terminals: with `2> log.txt` the question would go unseen.
  if (!(stdin.isTTY && stderr.isTTY)) return Promise.reject(new Error('no terminal to ask on'));
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: stdin, output: stderr });
    let answered = false;
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (!answered) reject(new Error('no MFA code entered'));
    });
    rl.question(`MFA code for ${device}: `, (answer) => {
      answered = true;
      rl.close();
      resolve(answer.trim());
    });
  });
}

module.exports = askMfaCode;
