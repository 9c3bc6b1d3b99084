'use strict';
// Checks what GitHub Actions workflows run, as actionlint cannot: that every `bash|sh|node
// scripts/…` a `run:` step names exists, that every `npm run X` names a package.json script, and
// that every flag passed to one of our scripts is one it accepts.
//
// A script declares its flags by answering `--help` with a usage that lists them (pack-install.js
// prints the very table it parses with). A script whose source never mentions `--help` takes no
// flags, and is not run to find out: a script that ignored `--help` would do its whole job.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..', '..');
const INTERPRETERS = new Set(['bash', 'sh', 'node']);
const SCRIPT_PATH = /^(?:\.\/)?scripts\//;

/** The flags a script accepts, from its `--help`; memoised per path. */
const acceptedFlags = new Map();

function flagsOf(interpreter, script) {
  const key = `${interpreter} ${script}`;
  if (!acceptedFlags.has(key)) {
    const file = path.join(ROOT, script);
    let flags = [];
    if (fs.readFileSync(file, 'utf8').includes('--help')) {
      const exe = interpreter === 'node' ? process.execPath : interpreter;
      const usage = execFileSync(exe, [file, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      flags = [...usage.matchAll(/(?<![\w-])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]);
    }
    acceptedFlags.set(key, new Set(flags));
  }
  return acceptedFlags.get(key);
}

/** The simple commands of a shell script, each as its words (quotes dropped, `${{ }}` as one word). */
function commands(script) {
  return script
    .replace(/\\\n/g, ' ')
    .replace(/\$\{\{.*?\}\}/g, '${{}}')
    .split(/\n|&&|\|\||[;|()]/)
    .map((line) => line.replace(/#.*$/, '').replace(/["']/g, '').trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length);
}

/**
 * What is wrong with the commands of one `run:` script, whose paths are relative to `dir`. An
 * `npm run X -- ARGS` is checked as package.json's script X with ARGS appended, as npm runs it.
 */
function checkRun(script, dir, packageScripts, depth = 0) {
  const problems = [];
  for (const words of commands(script)) {
    for (let i = 0; i < words.length - 1; i++) {
      if (INTERPRETERS.has(words[i]) && SCRIPT_PATH.test(words[i + 1])) {
        const rel = path.relative(ROOT, path.resolve(ROOT, dir, words[i + 1]));
        if (!fs.existsSync(path.join(ROOT, rel))) {
          problems.push(`${rel} does not exist`);
          continue;
        }
        const accepted = flagsOf(words[i], rel);
        for (const word of words.slice(i + 2)) {
          const flag = word.split('=')[0];
          if (/^--?[A-Za-z]/.test(flag) && !accepted.has(flag)) {
            problems.push(`${rel} does not accept ${flag} (it accepts: ${[...accepted].join(' ') || 'no flags'})`);
          }
        }
      }
      if (words[i] === 'npm' && /^(run|run-script)$/.test(words[i + 1])) {
        const name = words.slice(i + 2).find((w) => !w.startsWith('-'));
        if (name && !(name in packageScripts)) problems.push(`\`npm run ${name}\`: package.json has no script "${name}"`);
        else if (name && depth < 3) {
          const rest = words.slice(i + 2);
          const passed = rest.includes('--') ? rest.slice(rest.indexOf('--') + 1) : [];
          const body = `${packageScripts[name]} ${passed.join(' ')}`;
          for (const problem of checkRun(body, '.', packageScripts, depth + 1)) problems.push(`\`npm run ${name}\`: ${problem}`);
        }
      }
    }
    const npm = words.indexOf('npm');
    if (npm >= 0 && ['test', 't', 'start'].includes(words[npm + 1])) {
      const name = words[npm + 1] === 't' ? 'test' : words[npm + 1];
      if (!(name in packageScripts)) problems.push(`\`npm ${words[npm + 1]}\`: package.json has no script "${name}"`);
    }
  }
  return problems;
}

/**
 * Every problem in one workflow's `run:` steps, each as `FILE: job "JOB", step "STEP": what`.
 * `file` only labels the messages; `text` is the workflow's YAML.
 */
function checkWorkflow(text, file) {
  const doc = YAML.parse(text);
  const packageScripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts || {};
  const problems = [];
  for (const [jobId, job] of Object.entries(doc.jobs || {})) {
    for (const [index, step] of (job.steps || []).entries()) {
      if (typeof step.run !== 'string') continue;
      const dir = step['working-directory'] || job.defaults?.run?.['working-directory'] || doc.defaults?.run?.['working-directory'] || '.';
      const stepName = step.name || step.run.trim().split('\n')[0] || `#${index + 1}`;
      for (const problem of checkRun(step.run, dir, packageScripts)) {
        problems.push(`${file}: job "${jobId}", step "${stepName}": ${problem}`);
      }
    }
  }
  return problems;
}

/** The workflows of this repository, as `[relative path, text]`. */
function repoWorkflows() {
  const dir = path.join(ROOT, '.github', 'workflows');
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => [path.posix.join('.github/workflows', f), fs.readFileSync(path.join(dir, f), 'utf8')]);
}

module.exports = { checkWorkflow, checkRun, repoWorkflows, ROOT };
