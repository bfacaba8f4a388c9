#!/usr/bin/env node
// Regenerates test/fixtures/cluster (see test/support/cluster-fixtures.ts) from ../shared/upstream and,
// for what it lacks, a clone of argoproj/argo-workflows:
//   ARGO_WORKFLOWS_GIT=<its .git> npm run fixtures:cluster
// Needs kubectl (kustomize) on PATH.
'use strict';
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const { writeClusterFixtures, FIXTURES } = require('../test/support/cluster-fixtures');
try {
  const unchecked = writeClusterFixtures();
  console.log(`wrote ${require('path').relative(process.cwd(), FIXTURES)}`);
  for (const u of unchecked) console.log(`kept as committed (its source is not here): ${u}`);
} catch (e) {
  console.error(`fixtures:cluster: ${e.message}`);
  process.exit(1);
}
