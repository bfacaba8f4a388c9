#!/usr/bin/env node
// `npm run bench`: synth speed and memory against kustomize, side by side in one run.
//
// Builds the kustomize reference overlays itself in a temporary directory:
// - default app: upstream argo-server bases from ../shared/upstream (Argo v3.1.15) with the
//   JSON patches the seed applies by hand, plus the remaining objects as plain resources. The
//   patch values are read from our own output, and the bench checks that both sides produce
//   the same objects. Without ../shared, every object is a plain resource.
// - N profiles: one base WorkflowTemplate and N namespace overlays of it, plus the chart's
//   other objects.
// Our side is scripts/synth, the command README gives for a synth. Runs both sides
// alternately, prints medians, ratios against the goals, and peak RSS.
// Options: --quick (fewer runs, no 10,000), --runs N.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');
const { writeDump } = require('./preflight-dump');

const root = path.resolve(__dirname, '..');
const upstream = path.resolve(root, '..', 'shared', 'upstream', 'argo-workflows', 'v3.1.15', 'manifests');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runsArg = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-bench-'));
const haveTime = fs.existsSync('/usr/bin/time');

function run(cmd, argv, env = {}, okStatus = [0]) {
  const rssFile = path.join(work, `rss-${process.hrtime.bigint()}`);
  // Peak RSS from GNU time; without it, node processes report their own (kustomize's is lost).
  const [file, fileArgs, rssEnv] = haveTime
    ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...argv], {}]
    : [cmd, argv, { NODE_OPTIONS: `--require=${path.join(__dirname, 'max-rss.js')}`, KFA_BENCH_RSS_FILE: rssFile }];
  const t0 = process.hrtime.bigint();
  const res = spawnSync(file, fileArgs, { cwd: root, env: { ...process.env, ...env, ...rssEnv }, maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!okStatus.includes(res.status)) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${res.stderr}`);
  let rssKiB;
  try { rssKiB = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()); } catch { /* unavailable */ }
  return { seconds, rssKiB, stdout: res.stdout };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const docs = (text) => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
const readDocs = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => docs(fs.readFileSync(path.join(dir, f), 'utf8')));
const canon = (v) => Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
const key = (o) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace || ''}|${o.metadata.name}`;
const sameObjects = (a, b) => JSON.stringify(a.map(canon).sort((x, y) => key(x).localeCompare(key(y)))) === JSON.stringify(b.map(canon).sort((x, y) => key(x).localeCompare(key(y))));
const dump = (objs) => objs.map((o) => YAML.stringify(o)).join('---\n');

/** The command README gives for a synth (scripts/synth), into `outdir`. */
function ours(outdir, entry, env) {
  const argv = ['--outdir', outdir, ...(entry ? ['--entry', entry] : [])];
  return { cmd: path.join(root, 'scripts', 'synth'), argv, env };
}

function defaultOverlay(objects) {
  const dir = path.join(work, 'kust-default');
  fs.mkdirSync(dir, { recursive: true });
  // argo-server's Deployment, ServiceAccount and Service come from the upstream base, patched into
  // ours; its Role and RoleBinding (client auth), like everything else, come as plain YAML
  const isServer = (o) => o.metadata.name === 'argo-server' && ['Deployment', 'ServiceAccount', 'Service'].includes(o.kind);
  const resources = [];
  if (fs.existsSync(upstream)) {
    const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server');
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'argo-server');
    const base = path.join(dir, 'argo-server');
    fs.mkdirSync(base);
    const files = ['base/argo-server/argo-server-deployment.yaml', 'base/argo-server/argo-server-sa.yaml', 'base/argo-server/argo-server-service.yaml'];
    for (const f of files) fs.copyFileSync(path.join(upstream, f), path.join(base, path.basename(f)));
    const patch = (target, ops) => ({ target, patch: YAML.stringify(ops) });
    fs.writeFileSync(path.join(base, 'kustomization.yaml'), YAML.stringify({
      namespace: d.metadata.namespace,
      resources: files.map((f) => path.basename(f)),
      // our objects' metadata labels (the prune label), as an overlay would add them
      ...(d.metadata.labels ? { labels: [{ pairs: d.metadata.labels, includeSelectors: false }] } : {}),
      patches: [
        // the seed's edits and ours (image, args, BASE_HREF, probe scheme, hardening, requests, Istio annotation)
        patch({ kind: 'Deployment', name: 'argo-server' }, [{ op: 'replace', path: '/spec/template', value: d.spec.template }]),
        patch({ kind: 'Service', name: 'argo-server' }, [{ op: 'replace', path: '/spec/ports', value: svc.spec.ports }]),
      ],
    }));
    resources.push('argo-server');
  }
  const rest = fs.existsSync(upstream) ? objects.filter((o) => !isServer(o)) : objects;
  fs.writeFileSync(path.join(dir, 'rest.yaml'), dump(rest));
  resources.push('rest.yaml');
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify({ resources }));
  return dir;
}

function profilesOverlay(n, objects) {
  const dir = path.join(work, `kust-${n}`);
  fs.mkdirSync(path.join(dir, 'base'), { recursive: true });
  const templates = objects.filter((o) => o.kind === 'WorkflowTemplate');
  const { namespace, ...meta } = templates[0].metadata;
  fs.writeFileSync(path.join(dir, 'base', 'workflowtemplate.yaml'), YAML.stringify({ ...templates[0], metadata: meta }));
  fs.writeFileSync(path.join(dir, 'base', 'kustomization.yaml'), 'resources:\n- workflowtemplate.yaml\n');
  const resources = ['rest.yaml'];
  for (const t of templates) {
    const ns = t.metadata.namespace;
    fs.mkdirSync(path.join(dir, 'profiles', ns), { recursive: true });
    fs.writeFileSync(path.join(dir, 'profiles', ns, 'kustomization.yaml'), `namespace: ${ns}\nresources:\n- ../../base\n`);
    resources.push(`profiles/${ns}`);
  }
  fs.writeFileSync(path.join(dir, 'rest.yaml'), dump(objects.filter((o) => o.kind !== 'WorkflowTemplate')));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify({ resources }));
  return dir;
}

function compare(name, runs, oursCmd, kustDir, expected) {
  const o = [];
  const k = [];
  let rss = 0;
  let kRss = 0;
  let same;
  for (let i = 0; i < runs; i++) {
    const r = run(oursCmd.cmd, oursCmd.argv, oursCmd.env);
    o.push(r.seconds);
    rss = Math.max(rss, r.rssKiB || 0);
    if (kustDir) {
      const kr = run('kubectl', ['kustomize', kustDir]);
      k.push(kr.seconds);
      kRss = Math.max(kRss, kr.rssKiB || 0);
      if (same === undefined) same = sameObjects(docs(kr.stdout), expected());
    }
  }
  return { name, ours: median(o), kustomize: k.length ? median(k) : undefined, rssMiB: rss / 1024, kRssMiB: kRss / 1024, same };
}

function main() {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.status !== 0) {
    console.error('bench: kubectl not found; it is needed for the kustomize side');
    process.exit(1);
  }
  console.log(`node ${process.version}; ${os.cpus().length} CPUs; ${kubectl.stdout.split('\n')[0]}; upstream bases: ${fs.existsSync(upstream) ? 'yes' : 'no (plain resources)'}; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`);
  const rows = [];
  const preflightRows = [];
  try {
    // default app
    const out = path.join(work, 'ours-default');
    const cmd = ours(out);
    run(cmd.cmd, cmd.argv); // warm the bundle and code cache, as any second synth would be
    const objects = readDocs(out);
    const kdir = defaultOverlay(objects);
    rows.push({ ...compare('default app', runsArg || (quick ? 5 : 11), cmd, kdir, () => readDocs(out)), goal: 1.5 });
    // For reference: the same synth started as plain `node packages/cli/lib/synth.js` (what npm run synth
    // runs), which pays NODE_EXTRA_CA_CERTS at Node start-up when it is set.
    const plain = { cmd: process.execPath, argv: [path.join(root, 'packages', 'cli', 'lib', 'synth.js'), '--project', path.join(root, 'app'), ...cmd.argv] };
    rows.push(compare('default app, `node packages/cli/lib/synth.js`', runsArg || (quick ? 5 : 11), plain, kdir, () => readDocs(out)));

    const counts = quick ? [10, 100, 1000] : [10, 100, 1000, 10000];
    const results = {};
    for (const n of counts) {
      const dirN = path.join(work, `ours-${n}`);
      const cmdN = ours(dirN, path.join(root, 'bench', 'profiles-app.ts'), { KFA_BENCH_PROFILES: String(n) });
      run(cmdN.cmd, cmdN.argv, cmdN.env);
      const objsN = readDocs(dirN);
      const withKustomize = n <= 1000;
      const kdirN = withKustomize ? profilesOverlay(n, objsN) : undefined;
      const runs = runsArg || (n >= 1000 ? 3 : quick ? 3 : 5);
      results[n] = compare(`${n.toLocaleString('en-US')} profiles`, runs, cmdN, kdirN, () => readDocs(dirN));
      if (n === 10000) results[n].scaling = results[n].ours / results[1000].ours;
      rows.push({ ...results[n], goal: n === 1000 ? 0.25 : undefined });
    }
    // npm run preflight on large dumps (checks pass or fail: exit 0 or 1)
    for (const [label, n, goal, format] of [
      ['preflight, 20,000 namespaces', 20000, 'time ≤ 2 s', 'json'],
      ['preflight, 100 MB dump', 140000, 'peak RSS ≤ 500 MiB', 'json'],
      ['preflight, 100 MB dump', 134000, 'peak RSS ≤ 500 MiB', 'yaml'],
    ]) {
      const file = path.join(work, `dump-${n}.${format}`);
      const size = writeDump(file, n, format);
      const times = [];
      let rss = 0;
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        const r = run(process.execPath, ['--max-old-space-size=400', path.join(root, 'packages', 'cli', 'lib', 'preflight.js'), '--project', path.join(root, 'app'), file], {}, [0, 1]);
        times.push(r.seconds);
        rss = Math.max(rss, (r.rssKiB || 0) / 1024);
      }
      preflightRows.push({ label: `${label} (${(size / 1048576).toFixed(0)} MB ${format.toUpperCase()})`, seconds: median(times), rss, goal, met: goal.startsWith('time') ? median(times) <= 2 : rss <= 500 });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const fmt = (s) => (s === undefined ? '-' : `${Math.round(s * 1000).toLocaleString('en-US')} ms`);
  console.log('');
  console.log('| scenario | kustomize (median) | cdk8s-kubeflow-argo (median) | ratio | goal | same objects | peak RSS ours / kustomize |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.kustomize ? r.ours / r.kustomize : undefined;
    const goal = r.goal ? `≤ ${r.goal}× ${ratio <= r.goal ? 'met' : 'MISSED'}` : r.scaling !== undefined ? `≤ 11× the 1,000 time: ${r.scaling.toFixed(1)}× ${r.scaling <= 11 ? 'met' : 'MISSED'}` : '';
    const mem = `${r.rssMiB ? r.rssMiB.toFixed(0) : '?'} MiB${r.kustomize ? ` / ${r.kRssMiB ? r.kRssMiB.toFixed(0) : '?'} MiB` : ''}`;
    console.log(`| ${r.name} | ${fmt(r.kustomize)} | ${fmt(r.ours)} | ${ratio ? `${ratio.toFixed(2)}×` : '-'} | ${goal} | ${r.same === undefined ? '-' : r.same ? 'yes' : 'NO'} | ${mem} |`);
  }
  const r1000 = rows.find((r) => r.name === '1,000 profiles');
  if (r1000) console.log(`\npeak RSS at 1,000 profiles: ${r1000.rssMiB.toFixed(0)} MiB (goal ≤ 300 MiB: ${r1000.rssMiB <= 300 ? 'met' : 'MISSED'})`);
  console.log('');
  console.log('| preflight scenario | time (median) | peak RSS | goal |');
  console.log('|---|---|---|---|');
  for (const r of preflightRows) console.log(`| ${r.label} | ${fmt(r.seconds)} | ${r.rss.toFixed(0)} MiB | ${r.goal}: ${r.met ? 'met' : 'MISSED'} |`);
}

main();
