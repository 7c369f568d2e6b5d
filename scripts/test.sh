#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what is missing, the test-only packages
# included, then runs the gate (format check, lint, type check, every test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --tests
deno task ok
