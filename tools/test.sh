#!/usr/bin/env bash
# The project's test command: sets up a fresh machine, then type-checks, lints (module
# boundaries included), builds and runs every project's own test target through Nx, the way
# `npx nx run-many -t test` and `npx nx run <project>:test` run them (each from its project's
# folder). Extra arguments go to Nx (e.g. --projects=lib-stage).
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
echo "test: every project's test target"
log=$(mktemp)
status=0
npx nx run-many -t test --outputStyle=static --skip-nx-cache "$@" 2>&1 | tee "$log" || status=$?
# Jest's own summary line per project, added up.
sed 's/\x1b\[[0-9;]*m//g' "$log" | node -e '
  let passed = 0, failed = 0, skipped = 0, projects = 0;
  for (const line of require("node:fs").readFileSync(0, "utf8").split("\n")) {
    const m = /^Tests:\s+(.*) total$/.exec(line.trim());
    if (!m) continue;
    projects++;
    for (const [, n, what] of m[1].matchAll(/(\d+) (passed|failed|skipped)/g)) {
      if (what === "passed") passed += +n; else if (what === "failed") failed += +n; else skipped += +n;
    }
  }
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""} (${projects} projects)`);
' || true
rm -f "$log"
exit $status
