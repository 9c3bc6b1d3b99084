#!/usr/bin/env bash
# The project's test command: sets up, then runs the Rust core's tests and the node suites
# (which start their own moto server on a free loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
