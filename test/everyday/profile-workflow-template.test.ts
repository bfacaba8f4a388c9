import { Testing } from 'cdk8s';
import { KubeflowArgoRoles, ProfileWorkflowTemplate } from '../../packages/library/lib';
import { one, synth } from '../support/util';

const NS = 'kubeflow-user-example-com';
const wft = (props: any = {}) => one(synth((c) => new ProfileWorkflowTemplate(c, 't', { namespace: NS, ...props })), 'WorkflowTemplate');

const INJECT = { 'sidecar.istio.io/inject': 'false' };

describe('ProfileWorkflowTemplate', () => {
  test('argoproj.io/v1alpha1 WorkflowTemplate in the profile namespace', () => {
    const t = wft();
    expect(t.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(t.metadata.namespace).toBe(NS);
    expect(t.metadata.name).toBe('hello-kubeflow');
  });

  test('runs as default-editor', () => {
    expect(wft().spec.serviceAccountName).toBe('default-editor');
    expect(wft({ serviceAccountName: 'pipeline-runner' }).spec.serviceAccountName).toBe('pipeline-runner');
  });

  test('injection off where it reaches pods: podMetadata, every template, and the object', () => {
    const t = wft({
      templates: [
        { name: 'steps', steps: [[{ name: 'a', template: 'echo' }]] },
        { name: 'echo', container: { name: 'main', image: 'alpine:3.14', command: ['true'] }, metadata: { annotations: { team: 'ml' } } },
      ],
    });
    expect(t.spec.podMetadata.annotations).toEqual(INJECT);
    expect(t.metadata.annotations).toEqual(INJECT);
    expect(t.spec.templates).toHaveLength(2);
    for (const tpl of t.spec.templates) expect(tpl.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    expect(t.spec.templates[1].metadata.annotations.team).toBe('ml');
  });

  test('default is a small runnable template whose entrypoint and parameter line up', () => {
    const t = wft();
    expect(t.spec.entrypoint).toBe('main');
    expect(t.spec.arguments).toEqual({ parameters: [{ name: 'message', value: 'hello from Kubeflow' }] });
    const main = t.spec.templates[0];
    expect(main.name).toBe('main');
    expect(main.inputs.parameters).toEqual([{ name: 'message' }]);
    expect(main.container.image).toMatch(/:[0-9.]+$/);
    // the message is data: an environment variable, so an event may set it (issue 21)
    expect(main.container.env).toEqual([{ name: 'MESSAGE', value: '{{inputs.parameters.message}}' }]);
    expect(main.container.command).toEqual(['sh', '-c', 'printf "%s\\n" "$MESSAGE"']);
  });

  test('user templates, entrypoint and arguments pass through', () => {
    const t = wft({
      name: 'build',
      templates: [{ name: 'a', container: { name: 'main', image: 'alpine:3.14' } }, { name: 'b', container: { name: 'main', image: 'alpine:3.14' } }],
      entrypoint: 'b',
      arguments: { parameters: [{ name: 'revision', value: 'main' }] },
    });
    expect(t.metadata.name).toBe('build');
    expect(t.spec.entrypoint).toBe('b');
    expect(t.spec.arguments).toEqual({ parameters: [{ name: 'revision', value: 'main' }] });
  });

  test('podMetadata labels/annotations and object labels are kept next to the injection annotation', () => {
    const t = wft({ podMetadata: { labels: { team: 'ml' }, annotations: { note: 'x' } }, labels: { app: 'demo' } });
    expect(t.spec.podMetadata).toEqual({ labels: { team: 'ml' }, annotations: { note: 'x', ...INJECT } });
    expect(t.metadata.labels).toEqual({ app: 'demo' });
  });

  test('exposes names for workflowTemplateRef and parameter checks', () => {
    let t!: ProfileWorkflowTemplate;
    synth((c) => { t = new ProfileWorkflowTemplate(c, 't', { namespace: NS }); });
    expect(t.name).toBe('hello-kubeflow');
    expect(t.namespace).toBe(NS);
    expect(t.templateNames).toEqual(['main']);
    expect(t.parameterNames).toEqual(['message']);
  });

  test('fails when entrypoint names no template', () => {
    expect(() => new ProfileWorkflowTemplate(Testing.chart(), 't', { namespace: NS, entrypoint: 'nope' })).toThrow(/entrypoint.*names no template/);
  });

  test('fails when templates is empty', () => {
    expect(() => new ProfileWorkflowTemplate(Testing.chart(), 't', { namespace: NS, templates: [] })).toThrow(/templates must list at least one/);
  });

  test('fails when a template re-enables the sidecar', () => {
    expect(() => new ProfileWorkflowTemplate(Testing.chart(), 't', {
      namespace: NS,
      templates: [{ name: 'a', metadata: { annotations: { 'sidecar.istio.io/inject': 'true' } }, container: { name: 'main', image: 'alpine:3.14' } }],
    })).toThrow(/templates\[0\]\.metadata\.annotations\["sidecar\.istio\.io\/inject"\] must be "false"/);
  });

  test('snapshot', () => {
    expect(wft()).toMatchSnapshot();
  });
});

describe('KubeflowArgoRoles', () => {
  test('aggregates Argo edit rights into kubeflow-edit and read rights into kubeflow-view', () => {
    const objs = synth((c) => new KubeflowArgoRoles(c, 'roles'));
    const edit = one(objs, 'ClusterRole', 'kubeflow-argo-edit');
    expect(edit.metadata.labels).toEqual({ 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit': 'true' });
    expect(edit.rules[0].apiGroups).toEqual(['argoproj.io']);
    expect(edit.rules[0].resources).toEqual(expect.arrayContaining(['workflows', 'workflowtemplates']));
    expect(edit.rules[0].verbs).toEqual(expect.arrayContaining(['create', 'get', 'list']));
    const view = one(objs, 'ClusterRole', 'kubeflow-argo-view');
    expect(view.metadata.labels).toEqual({ 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-view': 'true' });
    expect(view.rules[0].verbs).toEqual(['get', 'list', 'watch']);
  });

  test('view: false emits only the edit role', () => {
    expect(synth((c) => new KubeflowArgoRoles(c, 'roles', { view: false })).map((o) => o.metadata.name)).toEqual(['kubeflow-argo-edit']);
  });

  test('snapshot', () => {
    expect(synth((c) => new KubeflowArgoRoles(c, 'roles'))).toMatchSnapshot();
  });
});
