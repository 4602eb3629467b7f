#!/usr/bin/env bash
# Regenerates src/pb/*.ts from protocols/*.proto with protons. The output is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx protons --output src/pb protocols/*.proto
