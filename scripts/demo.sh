#!/usr/bin/env bash
# The demo: sets up, starts a local STS-compatible server with IAM enforced, and shows the
# plugin giving the real serverless CLI an access role's keys.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/demo.js
