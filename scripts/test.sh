#!/usr/bin/env bash
# The whole test suite, as CI runs it: builds the app (the browser tests run against
# `next start`), then every tests/**/*.test.ts through node's test runner. Node 20 does not
# expand globs, so the shell lists the files. Its closing "# pass / # fail" lines are what CI reads.
set -euo pipefail
cd "$(dirname "$0")/.."
if compgen -G "tests/e2e/*.test.ts" > /dev/null; then
  npx --no-install next build
fi
mapfile -t files < <(find tests -name '*.test.ts' | sort)
exec node --import tsx --test "${files[@]}"
