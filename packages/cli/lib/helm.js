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
// Helm actions are the value hooks below (addValueHooks): settings a Helm user expects that the
// constructs do not validate against the release (labels, argo-server scheduling and resources).
// They are placed in the parsed YAML document, never by editing its text (Placeholders).
// Written by scripts/output-dir.js: the chart folder is replaced only while it holds an earlier chart.
'use strict';
const fs = require('fs');
const path = require('path');
const { isMap, parseAllDocuments, stringify } = require('yaml');
const { parseCommandLine, projectDir, shown } = require('./cli');
const { replaceOutput, OutputError } = require('./output-dir');

const pkg = require('../package.json');

function fail(message) {
  console.error(`helm: ${message}\nRun kfa-helm --help for the usage.`);
  process.exit(64);
}

const HELP = `usage: kfa-helm --chart-version X [--app-version Y] [--name NAME] [--input DIR] [--outdir DIR] [--project DIR]
       (in an app: npm run helm -- ...)

Packages the synthesized manifests as a Helm chart that renders exactly those objects.

  --chart-version X   the chart's version, SemVer 2 (required), e.g. 0.1.0
  --app-version Y     Chart.yaml appVersion, e.g. the argocli version v3.1.15
  --name NAME         chart name (default: kubeflow-argo)
  --input DIR         the synthesized manifests (default: dist/ of the project)
  --outdir DIR        where the chart goes (default: dist-helm/ of the project); replaced only
                      while it holds an earlier chart
  --project DIR       the app's project (default: the nearest directory at or above the current
                      one with a package.json, else the current one)

Paths given on the command line are relative to the current directory.
Exit codes: 0 written, 3 the output directory was refused, 4 it could not be written, 64 bad command line.`;

function parseArgs(argv) {
  const { values: v } = parseCommandLine('helm', argv, {
    'chart-version': { type: 'string' },
    'app-version': { type: 'string' },
    'name': { type: 'string' },
    'input': { type: 'string' },
    'outdir': { type: 'string' },
    'project': { type: 'string' },
  }, HELP);
  const root = projectDir(v.project);
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

const quoteKeys = (obj) => Object.keys(obj ?? {}).map((k) => ` ${JSON.stringify(k)}`).join('');

/**
 * Helm actions to put where the YAML has a placeholder. The value hooks edit the parsed document
 * (never the text): a placeholder key (`<token>: null`) in a map becomes lines of actions at that
 * key's indent; a placeholder value (`key: <token>`) becomes `key: {{- toYaml … }}`. The document
 * is then serialized, every `{{` of it escaped, and only then the placeholders replaced, so the
 * actions are the only template code in the file.
 */
class Placeholders {
  constructor() {
    this.actions = new Map();
  }

  /** A placeholder for `render(indent, key)`, which returns the lines of Helm actions. */
  add(render) {
    const token = `kfa-helm-hook-${this.actions.size}`;
    this.actions.set(token, render);
    return token;
  }

  /** `text` with every placeholder line replaced by its actions. */
  apply(text) {
    return text.split('\n').flatMap((line) => {
      const m = /^( *)(?:(kfa-helm-hook-\d+): null|([^:\s][^:]*): (kfa-helm-hook-\d+))$/.exec(line);
      if (!m) return [line];
      const [, pad, keyToken, key, valueToken] = m;
      return this.actions.get(keyToken ?? valueToken)(pad.length, key);
    }).join('\n');
  }
}

/**
 * Merges `values` into the map at `path` (the object's own keys win: labels can be selectors,
 * which must not change), or adds the map when the object has none.
 */
function mergeMap(doc, holders, path, values) {
  const existing = doc.getIn(path);
  const omit = `omit (${values} | default dict)${quoteKeys(existing?.toJSON())}`;
  if (isMap(existing)) {
    existing.set(holders.add((indent) => [`{{- with ${omit} }}{{ toYaml . | nindent ${indent} }}{{- end }}`]), null);
    return;
  }
  const key = path[path.length - 1];
  doc.getIn(path.slice(0, -1)).set(holders.add((indent) => [`{{- with ${omit} }}`, `${' '.repeat(indent)}${key}: {{- toYaml . | nindent ${indent + 2} }}`, '{{- end }}']), null);
}

/** Replaces the value at `path` with `values` (whose default is what it was). */
function replaceValue(doc, holders, path, values) {
  doc.setIn(path, holders.add((indent, key) => [`${' '.repeat(indent)}${key}: {{- toYaml ${values} | nindent ${indent + 2} }}`]));
}

/** Adds `key` from `values` to the map at `path` when the value is set. */
function addOptional(doc, holders, path, key, values) {
  doc.getIn(path).set(holders.add((indent) => [`{{- with ${values} }}`, `${' '.repeat(indent)}${key}: {{- toYaml . | nindent ${indent + 2} }}`, '{{- end }}']), null);
}

/** The value of `key` in the map at `path` from `values` (default: as it was), or, when the map has no `key`, added when set. */
function setOrAdd(doc, holders, path, key, values) {
  if (doc.hasIn([...path, key])) replaceValue(doc, holders, [...path, key], values);
  else addOptional(doc, holders, path, key, values);
}

/**
 * The value hooks of one document whose object is `obj`: `commonLabels` on every object; on
 * argo-server's Deployment, pod annotations, resources, nodeSelector, tolerations and affinity.
 * Returns the argo-server defaults it found (for values.yaml), if this is that Deployment.
 */
function addValueHooks(doc, holders, obj) {
  if (!isMap(doc.get('metadata'))) return undefined; // not an object of ours: left as it is
  let found;
  if (obj.kind === 'Deployment' && obj.metadata.name === 'argo-server') {
    const pod = obj.spec.template;
    const spec = ['spec', 'template', 'spec'];
    mergeMap(doc, holders, ['spec', 'template', 'metadata', 'annotations'], '$.Values.argoServer.podAnnotations');
    setOrAdd(doc, holders, [...spec, 'containers', 0], 'resources', '$.Values.argoServer.resources');
    setOrAdd(doc, holders, spec, 'nodeSelector', '$.Values.argoServer.nodeSelector');
    addOptional(doc, holders, spec, 'tolerations', '$.Values.argoServer.tolerations');
    addOptional(doc, holders, spec, 'affinity', '$.Values.argoServer.affinity');
    found = { resources: pod.spec.containers[0].resources ?? {}, nodeSelector: pod.spec.nodeSelector ?? {} };
  }
  mergeMap(doc, holders, ['metadata', 'labels'], '$.Values.commonLabels');
  return found;
}

/** A manifest file as a template: the value hooks added to each parsed document, then every `{{` of the YAML escaped. */
function templatize(text) {
  let argoServer;
  const parts = parseAllDocuments(text, { version: '1.1' }).map((doc) => {
    const holders = new Placeholders();
    const obj = doc.toJS();
    if (obj && typeof obj === 'object') argoServer = addValueHooks(doc, holders, obj) ?? argoServer;
    // block style: a placeholder must be a line of its own
    return holders.apply(escapeForHelm(doc.toString({ lineWidth: 0, collectionStyle: 'block' })));
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
    replaceOutput(outdir, files, { writer: 'kfa-helm' });
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    console.error(`helm: ${err.message}; ${shown(outdir)}/ left unchanged`);
    process.exit(err.kind === 'io' ? 4 : 3);
  }
  console.log(`wrote Helm chart ${args.name}-${args.chartVersion} to ${shown(outdir)}/ (${manifests.length} template${manifests.length === 1 ? '' : 's'})`);
}

main();
