#!/usr/bin/env node
// `npm run helm -- --chart-version 1.2.3`: package the synthesized manifests as a Helm chart.
//
//   node scripts/helm.js --chart-version X [--name kubeflow-argo] [--app-version Y]
//                        [--input dist] [--outdir dist-helm]      (--help: usage, exit codes)
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
const { parseCommandLine, shown } = require('./cli');
const { replaceOutput, OutputError } = require('./output-dir');

const root = path.resolve(__dirname, '..');

function fail(message) {
  console.error(`helm: ${message}\nRun node scripts/helm.js --help for the usage.`);
  process.exit(64);
}

const HELP = `usage: npm run helm -- --chart-version X [--app-version Y] [--name NAME] [--input DIR] [--outdir DIR]
       (or: node scripts/helm.js ...)

Packages the synthesized manifests as a Helm chart that renders exactly those objects.

  --chart-version X   the chart's version, SemVer 2 (required), e.g. 0.1.0
  --app-version Y     Chart.yaml appVersion, e.g. the argocli version v3.1.15
  --name NAME         chart name (default: kubeflow-argo)
  --input DIR         the synthesized manifests (default: dist/ of this project)
  --outdir DIR        where the chart goes (default: dist-helm/ of this project); replaced only
                      while it holds an earlier chart

Paths given on the command line are relative to the current directory.
Exit codes: 0 written, 3 the output directory was refused, 4 it could not be written, 64 bad command line.`;

function parseArgs(argv) {
  const { values: v } = parseCommandLine('helm', argv, {
    'chart-version': { type: 'string' },
    'app-version': { type: 'string' },
    'name': { type: 'string' },
    'input': { type: 'string' },
    'outdir': { type: 'string' },
  }, HELP);
  const args = {
    chartVersion: v['chart-version'],
    appVersion: v['app-version'],
    name: v.name ?? 'kubeflow-argo',
    // the defaults are the project's own; given paths are the caller's
    input: v.input !== undefined ? path.resolve(v.input) : path.join(root, 'dist'),
    outdir: v.outdir !== undefined ? path.resolve(v.outdir) : path.join(root, 'dist-helm'),
  };
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
  const input = args.input;
  const manifests = fs.existsSync(input) ? fs.readdirSync(input).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  if (manifests.length === 0) fail(`no manifests in ${shown(input)}/: run npm run synth first`);
  const texts = manifests.map((f) => fs.readFileSync(path.join(input, f), 'utf8'));
  // appVersion: what the chart deploys, the argocli (argo-server) version, unless given
  const argocli = texts.join('\n').match(/image: (?:[\w.:-]+\/)*argocli:(v[\w.-]+)/);
  const appVersion = args.appVersion ?? (argocli ? argocli[1] : undefined);
  const pkg = require(path.join(root, 'package.json'));
  const chart = [
    'apiVersion: v2',
    `name: ${args.name}`,
    `version: ${args.chartVersion}`,
    ...(appVersion ? [`appVersion: ${JSON.stringify(appVersion)}`] : []),
    'description: argo-server behind the Kubeflow gateway, Argo Events wiring and profile WorkflowTemplates (cdk8s-kubeflow-argo)',
    'type: application',
    `home: ${pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')}`,
    'keywords: [kubeflow, argo, argo-workflows, argo-events, istio]',
    'annotations:',
    `  cdk8s-kubeflow-argo/version: ${JSON.stringify(pkg.version)}`,
    '',
  ].join('\n');
  const values = [
    '# Nothing here changes the output: the templates are the manifests cdk8s-kubeflow-argo',
    '# synthesized, schema-checked and committed, rendered as they are (every "{{" is escaped).',
    '# Everything is fixed at synthesis on purpose: the constructs validate each setting against',
    '# the Kubeflow release around it (image line, RBAC, routes, Pod Security), which a value',
    '# substituted at install time would bypass. To change namespaces, profiles, the image, the',
    '# route or the triggers, edit the app (main.ts), run the synth, and package again.',
    '{}',
    '',
  ].join('\n');
  const files = [
    { file: 'Chart.yaml', text: chart },
    { file: 'values.yaml', text: values },
    // the synth's record of the folder is not part of the chart
    { file: '.helmignore', text: '.synth-output\n' },
    ...manifests.map((f, i) => ({ file: `templates/${f}`, text: escapeForHelm(texts[i]) })),
  ];
  const outdir = args.outdir;
  try {
    replaceOutput(outdir, files, { writer: 'scripts/helm.js' });
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    console.error(`helm: ${err.message}; ${shown(outdir)}/ left unchanged`);
    process.exit(err.kind === 'io' ? 4 : 3);
  }
  console.log(`wrote Helm chart ${args.name}-${args.chartVersion} to ${shown(outdir)}/ (${manifests.length} template${manifests.length === 1 ? '' : 's'})`);
}

main();
