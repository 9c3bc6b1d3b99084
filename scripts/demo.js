'use strict';
// The README's Develop command (`bash scripts/demo.sh` builds, then runs this): the example
// service in examples/ driven by the real CLIs, serverless v3 and osls 4, against a local AWS
// server (moto, IAM enforced, see __test__/helpers/localaws.js), and the aws CLI run by
// `serverless-access-roles exec`. The base user there may only call sts:AssumeRole, so every AWS
// call that succeeds ran on the access role's keys.
//
//   node scripts/demo.js            # about a minute; exits non-zero if a step misbehaves

const path = require('node:path');
const { startLocalAws } = require('../__test__/helpers/localaws');
const { createService, createHome } = require('../__test__/helpers/serverless');

/** The aws CLI of the project venv (awscli from PyPI), shown as plain `aws`. */
const AWS_CLI = path.join(__dirname, '..', '.venv', 'bin', 'aws');

/** The story, in order: what to run, with which CLI, and whether it should succeed. */
const STEPS = [
  {
    cli: 'serverless',
    args: ['access-role', 'show'],
    ok: true,
    why: 'which profile the store assigns to app "payments", stage "dev" (no AWS call)',
  },
  {
    cli: 'serverless',
    args: ['access-role', 'test'],
    ok: true,
    why: 'assume the role and ask STS, through the framework\'s own client, who we are',
  },
  { cli: 'osls', args: ['deploy'], ok: true, why: 'a real deploy on the access role (osls 4, AWS SDK v3)' },
  { cli: 'serverless', args: ['info'], ok: true, why: 'read the deployed stack (serverless v3, AWS SDK v2)' },
  {
    cli: 'serverless-access-roles',
    args: ['exec', '--app', 'payments', '--stage', 'dev', '--', AWS_CLI, 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text'],
    ok: true,
    why: 'any command on the role: the aws CLI, which loads no plugin',
  },
  {
    cli: 'serverless',
    args: ['info', '--use-local-credentials'],
    ok: false,
    why: 'the same without the plugin: the base user alone is denied',
  },
  {
    cli: 'osls',
    args: ['access-role', 'test', '--stage', 'prod'],
    ok: false,
    why: 'stage "prod" maps to a role that does not trust the base user',
  },
];

const rule = (title) => `\n${'─'.repeat(4)} ${title} ${'─'.repeat(Math.max(4, 90 - title.length))}`;

/** Indents a CLI's output under its step, dropping blank lines. */
function indent(text) {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => `    ${line}`)
    .join('\n');
}

async function main() {
  console.log('Starting the local AWS server (moto, IAM enforced) …');
  const aws = await startLocalAws();
  const results = [];
  try {
    console.log(`Local AWS on ${aws.endpoint}; base user ${aws.seed.baseUser.arn} (may only sts:AssumeRole)`);
    console.log(`Example service: ${path.relative(process.cwd(), path.join(__dirname, '..', 'examples')) || '.'}/`);
    // One home for both, as on a developer's machine: the plugin's key cache lives there.
    const home = await createHome();
    const services = {
      serverless: await createService(aws, 'serverless', { home }),
      osls: await createService(aws, 'osls', { home }),
    };
    try {
      for (const step of STEPS) {
        const bin = step.cli === 'serverless-access-roles';
        const service = bin ? services.osls : services[step.cli];
        const command = `${step.cli} ${step.args.join(' ')}`.replace(AWS_CLI, 'aws');
        console.log(rule(`${command}  — ${step.why}`));
        const started = Date.now();
        const { code, output } = await (bin ? service.runBin(step.args) : service.run(step.args));
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        console.log(indent(output));
        const asExpected = (code === 0) === step.ok;
        console.log(`  → exit ${code} in ${seconds} s: ${asExpected ? 'as expected' : 'NOT AS EXPECTED'}`);
        results.push({ command, expected: step.ok ? 'succeeds' : 'fails', code, asExpected });
      }
    } finally {
      await Promise.all([...Object.values(services).map((service) => service.remove()), home.remove()]);
    }
  } finally {
    await aws.stop();
  }

  console.log(rule('Summary'));
  for (const { command, expected, code, asExpected } of results) {
    const shown = command.length > 45 ? `${command.slice(0, 44)}…` : command;
    console.log(`  ${asExpected ? 'ok ' : 'BAD'}  ${shown.padEnd(45)} ${expected.padEnd(9)} (exit ${code})`);
  }
  const bad = results.filter((r) => !r.asExpected).length;
  console.log(bad ? `\n${bad} step(s) did not behave as expected.` : '\nEvery step behaved as expected.');
  process.exitCode = bad ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
