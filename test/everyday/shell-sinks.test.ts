// Event values never become shell code: where workflow parameters reach a script
// (lib/kubeflow/shell-sinks.ts), WorkflowTrigger refusing event data there, and the default
// app's checkout step run in a real shell with a hostile branch name.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { EventField, ProfileWorkflowTemplate, WebhookEventSource, WorkflowTrigger } from '../../packages/library/lib';
import { shellSinks } from '../../packages/library/lib/kubeflow/shell-sinks';
import { buildApp, CHECKOUT_SCRIPT } from '../support/reference-app';

/** A valid git branch name (`git check-ref-format --branch` accepts it) that runs a command when spliced into sh -c. */
const HOSTILE_BRANCH = (marker: string) => `x";touch\${IFS}${marker};"`;

describe('shellSinks: where a workflow parameter becomes code', () => {
  const tpl = (container: object, extra: object = {}) => [{ name: 'main', inputs: { parameters: [{ name: 'p' }] }, container: { name: 'main', image: 'busybox:1.36', ...container }, ...extra }];

  test.each([
    ['sh -c with the input in the script', { command: ['sh', '-c'], args: ['echo "{{inputs.parameters.p}}"'] }, 1],
    ['bash -ec script in command', { command: ['/bin/bash', '-ec', 'echo {{inputs.parameters.p}}'] }, 1],
    ['busybox sh -c', { command: ['busybox', 'sh', '-c', 'echo {{ inputs.parameters.p }}'] }, 1],
    ['env sh -c', { command: ['env', 'sh', '-c'], args: ['echo {{inputs.parameters.p}}'] }, 1],
    ['an expression template', { command: ['sh', '-c'], args: ['echo {{=inputs.parameters.p + "x"}}'] }, 1],
    ['workflow.parameters in the script', { command: ['sh', '-c'], args: ['echo {{workflow.parameters.p}}'] }, 1],
    // issue 21: the forms the old check missed, and everything that is not an environment variable
    ['sh -o pipefail -c', { command: ['sh', '-o', 'pipefail', '-c', 'echo {{inputs.parameters.p}}'] }, 1],
    ['bash -Ec', { command: ['bash', '-Ec', 'echo {{inputs.parameters.p}}'] }, 1],
    ['sh -c behind env -i, env A=1, nice, timeout, tini', { command: ['tini', '--', 'timeout', '5', 'nice', 'env', '-i', 'A=1', 'sh', '-c', 'echo {{inputs.parameters.p}}'] }, 1],
    ['python -c', { command: ['python', '-c', 'print("{{inputs.parameters.p}}")'] }, 1],
    ['node -e', { command: ['node', '-e', 'console.log("{{inputs.parameters.p}}")'] }, 1],
    ['perl -e', { command: ['perl', '-e', 'print "{{inputs.parameters.p}}"'] }, 1],
    ['pwsh -Command', { command: ['pwsh', '-Command', 'echo {{inputs.parameters.p}}'] }, 1],
    ['the bracket expression form for hyphenated names', { command: ['sh', '-c'], args: ['echo {{=inputs.parameters[\'p\']}}'] }, 1],
    ['Kubernetes $(VAR) expansion in args', { args: ['$(TOKEN)', '{{inputs.parameters.p}}'] }, 1],
    ['a positional argument after the script (kubelet expands $(VAR) in it)', { command: ['sh', '-c'], args: ['echo "$1"', 'sh', '{{inputs.parameters.p}}'] }, 1],
    ['a plain command (git clone --upload-pack=…)', { command: ['git', 'clone'], args: ['{{inputs.parameters.p}}'] }, 1],
    ['an environment variable', { command: ['sh', '-c'], args: ['echo "$P"'], env: [{ name: 'P', value: '{{inputs.parameters.p}}' }] }, 0],
    ['an environment variable after a Secret one ($(TOKEN) would copy it)', { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'P', value: '{{inputs.parameters.p}}' }] }, 1],
    ['an environment variable before a Secret one', { env: [{ name: 'P', value: '{{inputs.parameters.p}}' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, 0],
    ['an environment variable with envFrom', { envFrom: [{ secretRef: { name: 's' } }], env: [{ name: 'P', value: '{{inputs.parameters.p}}' }] }, 1],
    ['another input of the same name prefix', { command: ['sh', '-c'], args: ['echo {{inputs.parameters.px}}'] }, 0],
  ])('%s', (_what, container, expected) => {
    expect(shellSinks(tpl(container) as any, 'main', ['p'])).toHaveLength(expected);
  });

  test.each([
    ['initContainers', { initContainers: [{ name: 'i', image: 'busybox:1.36', command: ['sh', '-c', 'echo {{inputs.parameters.p}}'] }] }],
    ['sidecars', { sidecars: [{ name: 's', image: 'busybox:1.36', args: ['{{inputs.parameters.p}}'] }] }],
    ['containerSet', { containerSet: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo {{inputs.parameters.p}}'] }] } }],
    ['resource.manifest', { resource: { action: 'create', manifest: 'metadata: {name: "{{inputs.parameters.p}}"}' } }],
    ['podSpecPatch', { podSpecPatch: '{"containers":[{"name":"main","args":["{{inputs.parameters.p}}"]}]}' }],
  ])('every other place a template holds text: %s', (_what, extra) => {
    expect(shellSinks([{ name: 'main', inputs: { parameters: [{ name: 'p' }] }, ...extra }] as any, 'main', ['p'])).toHaveLength(1);
    // the same container kinds take it as an environment variable
  });

  test('the env of initContainers, sidecars and a containerSet is data too', () => {
    const env = [{ name: 'P', value: '{{inputs.parameters.p}}' }];
    expect(shellSinks([{ name: 'main', inputs: { parameters: [{ name: 'p' }] }, initContainers: [{ name: 'i', image: 'x', env }], sidecars: [{ name: 's', image: 'x', env }], containerSet: { containers: [{ name: 'c', image: 'x', env }] } }] as any, 'main', ['p'])).toEqual([]);
  });

  test('script.source of any interpreter is a sink', () => {
    expect(shellSinks([{ name: 'main', inputs: { parameters: [{ name: 'p' }] }, script: { image: 'python:3.12', command: ['python'], source: 'print("{{inputs.parameters.p}}")' } }] as any, 'main', ['p']))
      .toEqual([{ parameter: 'p', template: 'main', location: 'script.source' }]);
  });

  test('follows a parameter through steps and DAG tasks into the called templates', () => {
    const templates = [
      { name: 'entry', inputs: { parameters: [{ name: 'branch' }] }, steps: [[{ name: 'a', template: 'mid', arguments: { parameters: [{ name: 'b', value: 'refs/{{inputs.parameters.branch}}' }] } }]] },
      { name: 'mid', inputs: { parameters: [{ name: 'b' }] }, dag: { tasks: [{ name: 't', template: 'leaf', arguments: { parameters: [{ name: 'c', value: '{{inputs.parameters.b}}' }, { name: 'safe', value: 'constant' }] } }] } },
      { name: 'leaf', inputs: { parameters: [{ name: 'c' }, { name: 'safe' }] }, container: { image: 'busybox:1.36', command: ['sh', '-c', 'echo {{inputs.parameters.safe}} {{inputs.parameters.c}}'] } },
    ];
    expect(shellSinks(templates as any, 'entry', ['branch'])).toEqual([{ parameter: 'branch', template: 'leaf', location: 'container.command[2]' }]);
    expect(shellSinks(templates as any, 'entry', [])).toEqual([]);
  });
});

describe('WorkflowTrigger refuses event data that would become shell code', () => {
  const setup = (container: object, allowShellInterpolation?: boolean) => () => {
    const chart = Testing.chart();
    const source = new WebhookEventSource(chart, 'gh', { type: 'github', repositories: ['o/r'], webhookSecret: { name: 's', key: 'k' } });
    const template = new ProfileWorkflowTemplate(chart, 't', {
      namespace: 'alice', name: 'build',
      arguments: { parameters: [{ name: 'branch', value: 'main' }, { name: 'mode', value: 'fast' }] },
      templates: [{ name: 'main', inputs: { parameters: [{ name: 'branch' }, { name: 'mode' }] }, container: { name: 'main', image: 'alpine/git:v2.32.0', ...container } }],
    });
    return new WorkflowTrigger(chart, 'on-push', { eventSource: source, template, parameters: { branch: EventField.branch() }, allowShellInterpolation });
  };

  test('fails when the branch is spliced into sh -c, naming the parameter, the template and the safe patterns', () => {
    expect(setup({ command: ['sh', '-c'], args: ['git clone --branch "{{inputs.parameters.branch}}" https://x/y.git'] }))
      .toThrow(/^WorkflowTrigger: parameters\.branch would be read as more than data: WorkflowTemplate "build" puts it into container\.args\[0\] of template "main".*Fix: pass it only as an environment variable/s);
  });

  test('passes when the value arrives as an environment variable, or a parameter not fed by events is in the script', () => {
    expect(setup({ command: ['sh', '-c'], args: ['git clone --branch "$BRANCH" https://x/y.git && echo {{inputs.parameters.mode}}'], env: [{ name: 'BRANCH', value: '{{inputs.parameters.branch}}' }] })).not.toThrow();
  });

  test('allowShellInterpolation: true is the explicit, documented opt-in', () => {
    expect(setup({ command: ['sh', '-c'], args: ['echo {{inputs.parameters.branch}}'] }, true)).not.toThrow();
    expect(setup({ command: ['sh', '-c'], args: ['echo'] }, 'yes' as any)).toThrow(/allowShellInterpolation must be true or false/);
  });
});

describe('the default app\'s checkout step with a hostile branch name, in a real shell', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-shell-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs a container spec as Argo would, after text substitution of `{{inputs.parameters.x}}`, with a stub git that records its arguments. */
  function runAsArgo(container: any, values: Record<string, string>) {
    const sub = (s: string) => s.replace(/\{\{inputs\.parameters\.([\w-]+)\}\}/g, (_m, name) => values[name]);
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> "${path.join(dir, 'git-args')}"\n[ "$1" = "-c" ] && mkdir -p /tmp/src 2>/dev/null; exit 0\n`, { mode: 0o755 });
    const env: Record<string, string> = { PATH: `${bin}:${process.env.PATH}` };
    for (const e of container.env ?? []) env[e.name] = sub(e.value);
    const argv = [...container.command, ...container.args].map(sub);
    return spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', cwd: dir });
  }

  test('the branch reaches git as one argument and runs nothing', () => {
    const marker = path.join(dir, 'pwned');
    const app = buildApp();
    const template = app.charts[0].node.findAll().find((c) => c instanceof ProfileWorkflowTemplate) as ProfileWorkflowTemplate;
    const container = (template.workflowTemplate.toJson() as any).spec.templates[0].container;
    expect(container.args).toEqual([CHECKOUT_SCRIPT]);
    const branch = HOSTILE_BRANCH(marker);
    expect(spawnSync('git', ['check-ref-format', '--branch', branch]).status).toBe(0); // a branch git accepts
    const res = runAsArgo(container, { 'repo-url': 'https://github.com/o/r.git', 'revision': 'abc123', branch });
    expect(res.stderr).toBe('');
    expect(fs.existsSync(marker)).toBe(false);
    const args = fs.readFileSync(path.join(dir, 'git-args'), 'utf8').split('\n');
    expect(args.slice(0, 9)).toEqual(['-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always', 'clone', '--branch', branch, '--', 'https://github.com/o/r.git']);
  });

  test('a revision that looks like an option is refused before git runs', () => {
    const app = buildApp();
    const template = app.charts[0].node.findAll().find((c) => c instanceof ProfileWorkflowTemplate) as ProfileWorkflowTemplate;
    const container = (template.workflowTemplate.toJson() as any).spec.templates[0].container;
    const res = runAsArgo(container, { 'repo-url': 'https://github.com/o/r.git', 'revision': '--upload-pack=touch x', 'branch': 'main' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('refusing revision or branch that starts with -');
    expect(fs.existsSync(path.join(dir, 'git-args'))).toBe(false);
  });

  test('the same branch spliced into sh -c (the old template) does run the attacker\'s command: the test can fail', () => {
    const marker = path.join(dir, 'pwned');
    runAsArgo({ command: ['sh', '-c'], args: ['git clone --branch "{{inputs.parameters.branch}}" "{{inputs.parameters.repo-url}}" /tmp/src'] },
      { 'repo-url': 'https://github.com/o/r.git', 'branch': HOSTILE_BRANCH(marker) });
    expect(fs.existsSync(marker)).toBe(true);
  });
});
