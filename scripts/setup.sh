#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh machine, from the package registries only:
# npm packages (from the lockfile), moto in a project venv, rustfmt and clippy for the lints (from
# rustup, when the toolchain lacks them), and a debug build of the addon.
# Safe to run again: each step skips itself when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-python.sh
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi
npm run --silent build
