'use strict';

/**
 * The stages of a `--stages` value (`profiles --write`, `doctor`): comma-separated, blanks around
 * them dropped. Whether each is a stage name is the core's to say (E_INVALID_ARGUMENT naming
 * `stages`).
 * @param {string | undefined} value
 * @returns {string[]}
 */
function stagesOf(value) {
  if (value === undefined) return [];
  return value.split(',').map((stage) => stage.trim());
}

module.exports = stagesOf;
