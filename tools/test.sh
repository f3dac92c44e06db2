#!/usr/bin/env bash
# The project's test command: sets up a fresh machine, then type-checks, lints (module
# boundaries included), builds and runs every project's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
echo "test: type check"
npx tsc -p tsconfig.json --noEmit
echo "test: lint"
# The module-boundary rule reads Nx's cached project graph; compute it first, or on a fresh
# clone the rule is skipped (with a warning) instead of enforced.
npx nx show projects >/dev/null
npx eslint . --max-warnings 0
echo "test: jest (every project)"
results=$(mktemp)
status=0
npx jest -c jest.workspace.config.js --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$results" || true
rm -f "$results"
exit $status
