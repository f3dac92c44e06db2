#!/usr/bin/env bash
# The main job on a fresh machine: installs the npm packages, builds the sample ApolloCorpora
# (crawl -> langid -> dedupe -> convert) from the bundled sources into output/apollo-corpus/,
# then verifies it. No external service is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --no-system
npx nx run pipelines:corpus --outputStyle=static
npx nx run pipelines:verify --outputStyle=static
