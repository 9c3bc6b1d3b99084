#!/usr/bin/env bash
# Creates .venv in the repo root with the pinned local-AWS tools (moto server, boto3)
# from requirements-dev.txt. Idempotent: a copy of the requirements installed last is
# kept in .venv, and nothing is reinstalled while it matches and moto_server exists.
# Needs Python >= 3.10 with venv and pip (Debian: apt-get install python3-venv).
# PYTHON=/path/to/python3 picks the interpreter.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/requirements-dev.txt"
stamp="$venv/requirements-dev.installed.txt"

if [[ -x "$venv/bin/moto_server" ]] && cmp -s "$req" "$stamp"; then
  echo "setup-python: $venv is up to date"
  exit 0
fi

[[ -x "$venv/bin/python" ]] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$req"
# Stamp only after a successful install, so a failed one is retried next time.
cp "$req" "$stamp"
echo "setup-python: installed $(basename "$req") into $venv"
