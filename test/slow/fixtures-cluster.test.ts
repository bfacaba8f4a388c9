// test/fixtures/cluster is generated and committed (test/support/cluster-fixtures.ts): regenerate it from
// the sources at hand and compare, so a hand edit or a changed release file shows up. Needs
// ../shared/upstream and kubectl; a CRD whose source is a clone that is not set here is kept as
// committed and named.
import * as fs from 'fs';
import * as path from 'path';
import { UPSTREAM } from '../support/cluster';
import { FIXTURES, generateClusterFixtures } from '../support/cluster-fixtures';
import { hasKubectl, readDir } from '../support/util';

const why = !fs.existsSync(UPSTREAM) ? `${UPSTREAM} not found` : !hasKubectl() ? 'kubectl not found' : undefined;
// eslint-disable-next-line no-console
if (why) console.log(`cluster fixtures freshness test skipped: ${why}`);

(why ? test.skip : test)('test/fixtures/cluster is exactly what npm run fixtures:cluster generates', () => {
  const { files, unchecked } = generateClusterFixtures();
  // eslint-disable-next-line no-console
  if (unchecked.length) console.log(`not regenerated (set ARGO_WORKFLOWS_GIT to an argo-workflows clone to check them): ${unchecked.join(', ')}`);
  const committed = readDir(FIXTURES);
  expect(Object.keys(committed).sort()).toEqual([...files.keys()].sort());
  for (const [rel, text] of files) {
    if (committed[rel] !== text) throw new Error(`${path.join('test/fixtures/cluster', rel)} is stale: run npm run fixtures:cluster`);
  }
}, 120_000);
