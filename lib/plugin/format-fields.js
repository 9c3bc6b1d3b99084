'use strict';

/**
 * Aligns `[label, value]` rows as `Label:   value` lines for command output; rows whose value
 * is undefined are left out.
 *
 * @param {Array<[string, string | number | undefined]>} rows
 * @returns {string}
 */
function formatFields(rows) {
  const shown = rows.filter(([, value]) => value !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length)) + 2;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
}

module.exports = formatFields;
