'use strict';

/**
 * The plugin's logging: the framework's own `log` / `progress` / `writeText` utilities when it
 * passes them (Serverless v3 and osls hand them to external plugins as the constructor's third
 * argument, see "Writing to the output" in the v3 plugin docs), else a plain stand-in on the
 * console for frameworks that do not.
 *
 * @param {{ log?: Function & Record<string, Function>, progress?: { create: Function },
 *   writeText?: Function }} [utils] the constructor's third argument
 * @returns {{ notice: Function, info: Function, warning: Function, debug: Function,
 *   writeText: (text: string) => void,
 *   spinner: (message: string) => { update: (message: string) => void, remove: () => void } }}
 */
function createLog(utils = {}) {
  const { log, progress, writeText } = utils;
  if (log && progress && writeText) {
    return {
      notice: (text) => log.notice(text),
      info: (text) => log.info(text),
      warning: (text) => log.warning(text),
      debug: (text) => log.debug(text),
      writeText: (text) => writeText(text),
      spinner: (message) => progress.create({ message }),
    };
  }
  // Older frameworks: logs go to stderr like v3's, command output to stdout; no spinner.
  const toStderr = (prefix) => (text) => process.stderr.write(`${prefix}${text}\n`);
  return {
    notice: toStderr(''),
    info: toStderr(''),
    warning: toStderr('Warning: '),
    debug: process.env.SLS_DEBUG ? toStderr('access-roles: ') : () => {},
    writeText: (text) => process.stdout.write(`${text}\n`),
    spinner: () => ({ update() {}, remove() {} }),
  };
}

module.exports = createLog;
