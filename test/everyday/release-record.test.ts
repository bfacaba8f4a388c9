// The release record (lib/platform.ts, ARCHITECTURE.md "Adding a Kubeflow release") is the one
// list of releases: Platform.ALL and LATEST follow the declared presets, the generators read the
// tags and commits from it, and the README's and docs/platforms.md's tables are rendered from it.
// Against ../shared/upstream (skipped with a printed reason without it): each entry's tag,
// commit, KFP and workflow-controller are what the provenance table and the release's files say.
import * as fs from 'fs';
import * as path from 'path';
import { Platform } from '../../packages/library/lib';
import { UPSTREAM } from '../support/upstream-dir';

const ROOT = path.join(__dirname, '..', '..');

describe('Platform.ALL and Platform.LATEST follow the record', () => {
  test('ALL is every KUBEFLOW_x_y preset declared on Platform, oldest first, without aliases', () => {
    const declared = Object.getOwnPropertyNames(Platform).filter((k) => /^KUBEFLOW_\d+_\d+$/.test(k));
    expect(Platform.ALL.map((p) => p.id)).toEqual(declared);
    const versions = Platform.ALL.map((p) => p.id.split('_').slice(1).map(Number));
    expect(versions).toEqual([...versions].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(new Set(Platform.ALL).size).toBe(Platform.ALL.length);
  });

  test('LATEST is the newest release, DEFAULT stays Kubeflow 1.4', () => {
    expect(Platform.LATEST).toBe(Platform.ALL[Platform.ALL.length - 1]);
    expect(Platform.DEFAULT).toBe(Platform.KUBEFLOW_1_4);
  });

  test('the generators read the releases from the record (scripts/kubeflow-manifests.js)', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { KUBEFLOW_RELEASES, KUBEFLOW_COMMITS } = require('../../scripts/kubeflow-manifests');
    expect(KUBEFLOW_RELEASES).toEqual(Platform.ALL.map((p) => p.spec.kubeflow.release));
    expect(Object.keys(KUBEFLOW_COMMITS)).toEqual(KUBEFLOW_RELEASES);
  });
});

const provenance = path.join(UPSTREAM, 'README.md');
const describeShared = fs.existsSync(provenance) ? describe : describe.skip;
if (!fs.existsSync(provenance)) {
  // eslint-disable-next-line no-console
  console.log(`release record provenance tests skipped: ${provenance} not found (it is only beside the repo in development and CI)`);
}

describeShared('each record entry against ../shared/upstream', () => {
  const text = fs.existsSync(provenance) ? fs.readFileSync(provenance, 'utf8') : '';
  test.each(Platform.ALL.map((p) => [p.id, p] as const))('%s: tag, commit and KFP are the provenance table\'s; its files install the workflow-controller it names', (_id, p) => {
    const { release, commit, kfp } = p.spec.kubeflow;
    expect(text).toContain(`| kubeflow-manifests | kubeflow/manifests | ${release} (pairs with KFP ${kfp}) | ${commit} |`);
    const dir = path.join(UPSTREAM, 'kubeflow-manifests', release);
    const images = new Set<string>();
    const walk = (d: string): void => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else for (const m of fs.readFileSync(f, 'utf8').matchAll(/[\w./-]*workflow-controller:v[\w.-]+/g)) images.add(m[0]);
    });
    walk(dir);
    expect([...images]).toEqual([p.spec.argoWorkflows.controller]);
  });
});

describe('the release tables (README.md, docs/platforms.md) follow the release record (npm run docs)', () => {
  const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { renderReleaseDocs, replaceTable, renderReadmeTable } = require('../../scripts/release-docs');

  test('every committed table is what the record renders', () => {
    for (const [file, text] of Object.entries(renderReleaseDocs(read) as Record<string, string>)) {
      expect([file, read(file) === text]).toEqual([file, true]);
    }
  });

  test('each Kubeflow preset has its row, and only the newest is marked latest', () => {
    const table: string = renderReadmeTable();
    for (const p of Platform.ALL) expect(table).toContain(`| \`${p.id}\`${p === Platform.DEFAULT ? ' (default)' : ''}${p === Platform.LATEST ? ' (latest)' : ''} | ${p.spec.kubeflow.release} |`);
    expect(table.match(/latest/g)).toHaveLength(1);
  });

  test('a stale table is found, and a missing marker is an error, not a skipped table', () => {
    const text = read('README.md');
    const stale = text.replace('| oauth2-proxy |', '| oidc-authservice |');
    expect(renderReleaseDocs((f: string) => (f === 'README.md' ? stale : read(f)))['README.md']).toBe(text);
    expect(() => replaceTable(text.replace('<!-- /release-table:releases -->', ''), 'releases', 'x', 'README.md'))
      .toThrow('README.md: the markers <!-- release-table:releases --> … <!-- /release-table:releases --> are missing');
  });
});
