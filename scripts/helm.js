#!/usr/bin/env node
// `npm run helm -- --chart-version 1.2.3`: package the synthesized manifests as a Helm chart.
//
//   node scripts/helm.js --chart-version X [--name kubeflow-argo] [--app-version Y]
//                        [--input dist] [--outdir dist-helm]
//
// Why not `cdk8s synth --format helm`? Its templates are the manifests verbatim, but Helm
// renders templates as Go templates, and Argo's own `{{inputs.parameters.x}}` (and Argo Events'
// `{{ .Input.body.ref }}`) then fail or vanish; it also copies every imported CRD into crds/,
// which would make Helm install Argo's and Istio's CRDs over the ones KFP and Istio own.
// Here every `{{` is escaped as `{{"{{"}}`, so the chart renders exactly the objects in
// dist/ (already schema-checked by `npm run synth`), and no CRD is added. Written by
// scripts/output-dir.js: the chart folder is replaced only while it holds an earlier chart.
'use strict';
const fs = require('fs');
const path = require('path');
const { replaceOutput, OutputError } = require('./output-dir');

const root = path.resolve(__dirname, '..');

function fail(message) {
  console.error(`helm: ${message}`);
  process.exit(64);
}

function parseArgs(argv) {
  const args = { name: 'kubeflow-argo', input: 'dist', outdir: 'dist-helm' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--chart-version') args.chartVersion = value();
    else if (flag === '--app-version') args.appVersion = value();
    else if (flag === '--name') args.name = value();
    else if (flag === '--input') args.input = value();
    else if (flag === '--outdir') args.outdir = value();
    else fail(`unknown argument "${argv[i]}" (expected --chart-version, --app-version, --name, --input, --outdir)`);
  }
  if (!args.chartVersion) fail('--chart-version is required (SemVer 2, e.g. 0.1.0)');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(args.chartVersion)) {
    fail(`--chart-version must be SemVer 2 (e.g. 0.1.0), got "${args.chartVersion}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.name) || args.name.length > 53) {
    fail(`--name must be a lower-case chart name (letters, digits, "-", at most 53 characters), got "${args.name}"`);
  }
  return args;
}

/** Escapes Go template delimiters so Helm prints them literally. */
function escapeForHelm(text) {
  return text.replace(/\{\{/g, '{{"{{"}}');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const input = path.resolve(root, args.input);
  const manifests = fs.existsSync(input) ? fs.readdirSync(input).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  if (manifests.length === 0) fail(`no manifests in ${path.relative(process.cwd(), input)}/: run npm run synth first`);
  const chart = [
    'apiVersion: v2',
    `name: ${args.name}`,
    `version: ${args.chartVersion}`,
    ...(args.appVersion ? [`appVersion: ${JSON.stringify(args.appVersion)}`] : []),
    'description: argo-server behind the Kubeflow gateway, Argo Events wiring and profile WorkflowTemplates (cdk8s-kubeflow-argo)',
    'type: application',
    '',
  ].join('\n');
  const files = [
    { file: 'Chart.yaml', text: chart },
    { file: 'values.yaml', text: '# This chart has no values: it renders the manifests synthesized by cdk8s-kubeflow-argo as they are.\n' },
    ...manifests.map((f) => ({ file: `templates/${f}`, text: escapeForHelm(fs.readFileSync(path.join(input, f), 'utf8')) })),
  ];
  const outdir = path.resolve(root, args.outdir);
  try {
    replaceOutput(outdir, files, { writer: 'scripts/helm.js' });
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    console.error(`helm: ${err.message}; ${path.relative(process.cwd(), outdir) || '.'}/ left unchanged`);
    process.exit(err.kind === 'io' ? 4 : 3);
  }
  console.log(`wrote Helm chart ${args.name}-${args.chartVersion} to ${path.relative(process.cwd(), outdir)}/ (${manifests.length} template${manifests.length === 1 ? '' : 's'})`);
}

main();
