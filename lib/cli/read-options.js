'use strict';
// The command line of a bin command with a fixed set of options (`cache`, `doctor`, `profiles`):
// node's parseArgs in strict mode, `--help` answered with the usage text, and a bad option
// answered with one line and the usage text, exit status 2.

const { parseArgs } = require('node:util');
const { usageFailure } = require('./error-line');

/**
 * Reads `args` against `options`. Returns `{ values, positionals }` to go on with, or
 * `{ status }` when the command is done: 0 after printing `usage` for `--help`, 2 after a bad
 * option (a positional too, unless `allowPositionals`).
 * @param {string[]} args
 * @param {import('node:util').ParseArgsConfig['options']} options
 * @param {string} usage
 * @param {{ allowPositionals?: boolean }} [how]
 * @returns {{ values: Record<string, string | boolean | undefined>, positionals: string[] } | { status: number }}
 */
function readOptions(args, options, usage, { allowPositionals = false } = {}) {
  let read;
  try {
    read = parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    return { status: usageFailure(usage, err.message) };
  }
  if (read.values.help) {
    process.stdout.write(usage);
    return { status: 0 };
  }
  return { values: read.values, positionals: read.positionals };
}

module.exports = readOptions;
