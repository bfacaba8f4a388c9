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
// Here every `{{` is escaped as `{{"{{"}}`, so with its default values the chart renders exactly
// the objects in dist/ (already schema-checked by `npm run synth`), and no CRD is added. The only
// Helm actions are the value hooks below (`VALUE_HOOKS`): settings a Helm user expects that the
// constructs do not validate against the release (labels, argo-server scheduling and resources).
// Written by scripts/output-dir.js: the chart folder is replaced only while it holds an earlier chart.
'use strict';
const fs = require('fs');
const path = require('path');
const { parseAllDocuments, stringify } = require('yaml');
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
  if (!SEMVER.test(args.chartVersion)) {
    fail(`--chart-version must be SemVer 2 (e.g. 0.1.0), got "${args.chartVersion}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.name) || args.name.length > 53) {
    fail(`--name must be a lower-case chart name (letters, digits, "-", at most 53 characters), got "${args.name}"`);
  }
  return args;
}

/**
 * SemVer 2.0.0 as semver.org gives it: no leading zeros in the numbers or in a numeric
 * pre-release identifier, no empty identifiers (Helm refuses `01.0.0` and `1.0.0-01`).
 */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * The template file name of a manifest: Helm treats a template whose name starts with `_` as a
 * partial and renders none of its objects (a chart id "_x" gives "_x.k8s.yaml"), so such a name
 * gets a `manifest` prefix.
 */
function templateName(file) {
  return file.startsWith('_') ? `manifest${file}` : file;
}

/** Escapes Go template delimiters so Helm prints them literally. */
function escapeForHelm(text) {
  return text.replace(/\{\{/g, '{{"{{"}}');
}

const indentOf = (line) => line.length - line.trimStart().length;

/** Index after the block of `lines[i]`: the lines indented deeper than it. */
function blockEnd(lines, i) {
  let j = i + 1;
  while (j < lines.length && indentOf(lines[j]) > indentOf(lines[i])) j++;
  return j;
}

/** The line of `key:` at exactly `indent`, searched in [from, to); -1 when absent. */
function keyLine(lines, from, to, indent, key) {
  const head = `${' '.repeat(indent)}${key}:`;
  for (let i = from; i < to; i++) if (lines[i] === head || lines[i].startsWith(`${head} `)) return i;
  return -1;
}

const quoteKeys = (obj) => Object.keys(obj ?? {}).map((k) => ` ${JSON.stringify(k)}`).join('');

/**
 * Adds `values` to a map at `indent` under line `at` (the map's key line, e.g. `  labels:`), or
 * creates the map under `parent` when absent. Keys the object already sets win: labels can be
 * selectors, which must not change.
 */
function mergeMap(lines, parent, at, indent, key, values, existing) {
  const pad = ' '.repeat(indent);
  const omit = `omit (${values} | default dict)${quoteKeys(existing)}`;
  if (at >= 0) {
    lines.splice(blockEnd(lines, at), 0, `{{- with ${omit} }}{{ toYaml . | nindent ${indent + 2} }}{{- end }}`);
  } else {
    lines.splice(parent + 1, 0, `{{- with ${omit} }}`, `${pad}${key}: {{- toYaml . | nindent ${indent + 2} }}`, '{{- end }}');
  }
}

/** Replaces the block of `key:` at `indent` under [from, to) with the value `values` (default: what it was). */
function replaceBlock(lines, from, to, indent, key, values) {
  const i = keyLine(lines, from, to, indent, key);
  if (i < 0) return false;
  lines.splice(i, blockEnd(lines, i) - i, `${' '.repeat(indent)}${key}: {{- toYaml ${values} | nindent ${indent + 2} }}`);
  return true;
}

/**
 * The value hooks, applied to one escaped document whose object is `obj`: `commonLabels` on
 * every object; on argo-server's Deployment, pod annotations, resources, nodeSelector,
 * tolerations and affinity. Relies on the synth's block style: two-space indents, sorted keys.
 * Returns the argo-server defaults it found (for values.yaml), if this is that Deployment.
 */
function addValueHooks(lines, obj) {
  const meta = keyLine(lines, 0, lines.length, 0, 'metadata');
  if (meta < 0) return undefined; // not an object of ours (no metadata block): left as it is
  const metaEnd = blockEnd(lines, meta);
  let found;
  if (obj.kind === 'Deployment' && obj.metadata.name === 'argo-server') {
    const pod = obj.spec.template;
    const tpl = keyLine(lines, metaEnd, lines.length, 2, 'template');
    const podMeta = keyLine(lines, tpl, blockEnd(lines, tpl), 4, 'metadata');
    const specLine = keyLine(lines, tpl, blockEnd(lines, tpl), 4, 'spec');
    // bottom-up, so earlier line numbers stay valid
    const specEnd = blockEnd(lines, specLine);
    const nodeSelector = keyLine(lines, specLine, specEnd, 6, 'nodeSelector');
    const placement = [
      '{{- with $.Values.argoServer.tolerations }}', '      tolerations: {{- toYaml . | nindent 8 }}', '{{- end }}',
      '{{- with $.Values.argoServer.affinity }}', '      affinity: {{- toYaml . | nindent 8 }}', '{{- end }}'];
    if (nodeSelector >= 0) {
      lines.splice(blockEnd(lines, nodeSelector), 0, ...placement);
      replaceBlock(lines, specLine, specEnd, 6, 'nodeSelector', '$.Values.argoServer.nodeSelector');
    } else {
      // a pod spec without nodeSelector (e.g. set to {}): the hooks go at its end
      lines.splice(specEnd, 0, '{{- with $.Values.argoServer.nodeSelector }}', '      nodeSelector: {{- toYaml . | nindent 8 }}', '{{- end }}', ...placement);
    }
    const containers = keyLine(lines, specLine, specEnd, 6, 'containers'); // one container: argo-server
    replaceBlock(lines, containers, blockEnd(lines, containers), 10, 'resources', '$.Values.argoServer.resources');
    const annotations = keyLine(lines, podMeta, blockEnd(lines, podMeta), 6, 'annotations');
    mergeMap(lines, podMeta, annotations, 6, 'annotations', '$.Values.argoServer.podAnnotations', pod.metadata.annotations);
    found = { resources: pod.spec.containers[0].resources ?? {}, nodeSelector: pod.spec.nodeSelector ?? {} };
  }
  mergeMap(lines, meta, keyLine(lines, meta, metaEnd, 2, 'labels'), 2, 'labels', '$.Values.commonLabels', obj.metadata.labels);
  return found;
}

/** A manifest file as a template: every `{{` escaped, then the value hooks added per document. */
function templatize(text) {
  const docs = parseAllDocuments(text, { version: '1.1' });
  let argoServer;
  const parts = escapeForHelm(text).split(/^---\n/m).map((part, i) => {
    const obj = docs[i]?.toJS();
    if (!obj || typeof obj !== 'object') return part;
    const lines = part.replace(/\n$/, '').split('\n');
    argoServer = addValueHooks(lines, obj) ?? argoServer;
    return `${lines.join('\n')}\n`;
  });
  return { text: parts.join('---\n'), argoServer };
}

/** values.yaml: what a Helm user may set, defaults equal to the synthesized output, and what is fixed. */
function valuesFile(argoServer) {
  const yaml = (v) => (Object.keys(v).length ? `\n${stringify(v).trimEnd().replace(/^/gm, '    ')}` : ' {}');
  return [
    '# Settings for a Helm install. With these defaults the chart renders exactly the manifests',
    '# cdk8s-kubeflow-argo synthesized and schema-checked (dist/).',
    '#',
    '# Fixed at synthesis, on purpose: namespaces, profiles, the argocli image, the route and its',
    '# AuthorizationPolicy, RBAC, the event sources and triggers. The constructs check each of them',
    '# against the Kubeflow release around it (image line, Istio API versions, RBAC verbs, Pod',
    '# Security), which a value substituted at install time would bypass. To change them, edit the',
    '# app (main.ts), run npm run synth, and package again.',
    '',
    '# Labels added to every object\'s metadata.labels (a label the object already sets wins: some',
    '# are selectors, which must not change).',
    'commonLabels: {}',
    ...(argoServer ? [
      '',
      'argoServer:',
      '  # Added to the argo-server pod template\'s annotations (its own annotations win).',
      '  podAnnotations: {}',
      '  # The argo-server container\'s requests and limits (default: as synthesized).',
      `  resources:${yaml(argoServer.resources)}`,
      '  # Scheduling of the argo-server pod.',
      `  nodeSelector:${yaml(argoServer.nodeSelector)}`,
      '  tolerations: []',
      '  affinity: {}',
    ] : []),
    '',
  ].join('\n');
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
  const templates = texts.map(templatize);
  const values = valuesFile(templates.map((t) => t.argoServer).find(Boolean));
  const files = [
    { file: 'Chart.yaml', text: chart },
    { file: 'values.yaml', text: values },
    // the synth's record of the folder is not part of the chart
    { file: '.helmignore', text: '.synth-output\n' },
    ...manifests.map((f, i) => ({ file: `templates/${templateName(f)}`, text: templates[i].text })),
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
