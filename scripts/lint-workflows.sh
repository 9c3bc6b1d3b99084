#!/usr/bin/env bash
# Lints the release workflow with actionlint (pinned in requirements-dev.txt), which also checks
# every `run:` script with ShellCheck. ShellCheck comes from Debian's packages; when it is
# missing and this runs as root, it is installed, otherwise the lint says it ran without it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh >/dev/null
if ! command -v shellcheck >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null
fi
command -v shellcheck >/dev/null || echo "lint-workflows: shellcheck not found; run: scripts are not checked"
workflows=(.github/workflows/*.yml)
.venv/bin/actionlint -no-color "${workflows[@]}"
echo "lint-workflows: ${#workflows[@]} workflow(s) clean ($(.venv/bin/actionlint -version | head -1), shellcheck $(shellcheck --version 2>/dev/null | sed -n 's/^version: //p'))"
