// Argo Events on the test cluster (issue 23, case 5), as its controllers and pods would run it:
// 1. argo-events' own install.yaml at the version built (test/support/events-bin.ts): its ConfigMaps,
//    RBAC and controller Deployments, applied beside the output (the CRDs are the release's).
// 2. The controllers run as their pods (test/support/pods.ts), with their ServiceAccount's token, until
//    they have written what the output's EventBus, EventSources and Sensors make: the EventBus's
//    StatefulSet, Services and auth Secrets, a Deployment and Service per EventSource, a
//    Deployment per Sensor. Nothing of those is written here.
// 3. Their pods run from what the controllers wrote: the EventBus's NATS Streaming servers (each
//    replica of the StatefulSet), then each event source and each sensor, the sensor with the
//    `argo` CLI of the argo-events image on its PATH and its ServiceAccount's token mounted as
//    the kubelet mounts it. The metrics exporter beside NATS is not run (nothing reads it).
// Harness changes, printed: listen addresses (each pod on its own loopback address: the
// controller's NATS config gains `listen` lines, argo-events takes $KFA_LISTEN_HOST, see
// events-bin.ts), and the headless Service of NATS resolves to its first replica.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Platform } from '../../packages/library/lib';
import { request } from './browser';
import { apiServerUrl, Cluster, serviceAccountToken } from './cluster';
import { eventsBinaries, EventsBuild, LISTEN_PATCH } from './events-bin';
import { Upstreams } from './gateway';
import { PodIdentity, prepareContainer, RunningProcess, ServiceAddresses, startProcess, waitUntil } from './pods';

/** Argo Events, running. */
export interface EventsStack {
  /** Where the gateway sends each event source's Service (`host:port`). */
  readonly upstreams: Upstreams;
  /** What the suite prints: each program's version and each harness change. */
  readonly notes: string[];
  /** The last log lines of every pod. */
  logs(): string;
  stop(): void;
}

const NS = 'argo-events';

/** A pod's identity with its ServiceAccount's token, CA and namespace, as the kubelet projects them. */
function identity(cluster: Cluster, podName: string, account: string | undefined): PodIdentity {
  const ca = JSON.parse(cluster.kubectl(['-n', NS, 'get', 'configmap', 'kube-root-ca.crt', '-o', 'json']).stdout).data['ca.crt'];
  const api = apiServerUrl(cluster);
  // KUBERNETES_SERVICE_HOST and _PORT, as the kubelet gives them to pods
  return { name: podName, account: { token: serviceAccountToken(cluster, NS, account ?? 'default'), 'ca.crt': ca, namespace: NS }, apiServer: { host: api.hostname, port: Number(api.port) } };
}

/** The namespace's objects the pods read (what the controllers wrote, the output's Secrets). */
function namespaceObjects(cluster: Cluster): any[] {
  const r = cluster.kubectl(['-n', NS, 'get', 'secrets,configmaps,statefulsets,deployments,services', '-o', 'json']);
  if (r.status !== 0) throw new Error(`reading ${NS}: ${r.stderr}`);
  return JSON.parse(r.stdout).items;
}

/** The stan.conf of the EventBus's ConfigMap with each listener on the pod's address. */
function stanConfig(text: string, address: string, notes: string[]): string {
  if (!/^streaming \{/m.test(text)) return text;
  notes.push('NATS: `listen`, `http` and the cluster\'s `listen` on the pod\'s address (the controller\'s config gives ports only)');
  return `listen: ${address}:4222\n${text.replace(/^http: (\d+)$/m, `http: "${address}:$1"`).replace(/^(cluster \{\n)\s*port: (\d+)$/m, `$1  listen: ${address}:$2`)}`;
}

/** Runs the pods of the native EventBus's StatefulSet; resolves when every replica serves. */
async function startEventBus(build: EventsBuild, objects: any[], addresses: ServiceAddresses, dir: string, notes: string[], procs: RunningProcess[]): Promise<void> {
  const sts = objects.find((o) => o.kind === 'StatefulSet');
  const service = sts.spec.serviceName;
  const podHost = (i: number) => `${sts.metadata.name}-${i}.${service}.${NS}.svc`;
  for (let i = 0; i < sts.spec.replicas; i++) addresses.of(podHost(i));
  for (const alias of [service, `${service}.${NS}`, `${service}.${NS}.svc`, `${service}.${NS}.svc.cluster.local`]) addresses.alias(alias, podHost(0));
  notes.push(`NATS: the headless Service ${service} resolves to its first replica`);
  for (let i = 0; i < sts.spec.replicas; i++) {
    const podName = `${sts.metadata.name}-${i}`;
    const address = addresses.of(podHost(i));
    const c = prepareContainer(sts, 'stan', objects, address, dir, (_m, text, n) => stanConfig(text, address, i === 0 ? n : []), { name: podName });
    procs.push(startProcess(podName, build.natsStreaming.bin, c.args, c.env, addresses.hostsFile(), dir, { mounts: c.mounts }));
  }
  // ready when each replica answers on its monitoring port as the RAFT leader or a follower (server/monitor.go Serverz.Role)
  const serving = async () => (await Promise.all(Array.from({ length: sts.spec.replicas }, (_, i) => request(8222, 'GET', '/streaming/serverz', {}, undefined, addresses.of(podHost(i)))
    .then((r) => r.status === 200 && /"role": "(Leader|Follower)"/.test(r.body)).catch(() => false)))).every(Boolean);
  await waitUntil('the EventBus\'s NATS Streaming servers', serving, procs);
}

/** Runs the controllers of install.yaml until they have written the pods of the output's Argo Events objects; stops them. */
async function runControllers(cluster: Cluster, build: EventsBuild, output: readonly any[], addresses: ServiceAddresses, dir: string, procs: RunningProcess[]): Promise<void> {
  const install = parseAllDocuments(build.install).map((d) => d.toJS()).filter((o) => o && o.kind);
  const r = cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: install.filter((o) => o.kind !== 'CustomResourceDefinition') }));
  if (r.status !== 0) throw new Error(`applying argo-events ${build.argoEvents.version} install.yaml: ${r.stderr}`);
  const controllers: RunningProcess[] = [];
  for (const d of install.filter((o) => o.kind === 'Deployment')) {
    const podName = `${d.metadata.name}-0`;
    const address = addresses.of(`${podName}.${NS}.pod`);
    const c = prepareContainer(d, d.spec.template.spec.containers[0].name, install, address, dir, undefined, identity(cluster, podName, d.spec.template.spec.serviceAccountName));
    controllers.push(startProcess(podName, build.argoEvents.bin, c.args, { ...c.env, KFA_LISTEN_HOST: address }, addresses.hostsFile(), dir, { mounts: c.mounts }));
  }
  procs.push(...controllers);
  const wanted = (kind: string) => output.filter((o) => o.kind === kind).length;
  const written = () => {
    const items = namespaceObjects(cluster);
    const count = (label: string) => items.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.[label]).length;
    return items.some((o) => o.kind === 'StatefulSet') && count('eventsource-name') === wanted('EventSource') && count('sensor-name') === wanted('Sensor');
  };
  await waitUntil(`argo-events ${build.argoEvents.version}'s controllers`, written, controllers);
  for (const c of controllers) c.stop();
}

/** Starts the pods of each event source and sensor the controllers wrote; resolves when each listens. */
async function startPods(cluster: Cluster, build: EventsBuild, objects: any[], addresses: ServiceAddresses, dir: string, procs: RunningProcess[]): Promise<Upstreams> {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(build.argo.bin, path.join(bin, 'argo'));
  const upstreams: Upstreams = {};
  const sensors: RunningProcess[] = [];
  const scheduled: RunningProcess[] = [];
  const listening: Array<() => Promise<boolean>> = [];
  for (const d of objects.filter((o) => o.kind === 'Deployment' && (o.metadata.labels?.['eventsource-name'] || o.metadata.labels?.['sensor-name']))) {
    const source = d.metadata.labels['eventsource-name'];
    const service = source && objects.find((o) => o.kind === 'Service' && o.metadata.labels?.['eventsource-name'] === source);
    const address = addresses.of(service ? `${service.metadata.name}.${NS}.svc.cluster.local` : `${d.metadata.name}-0.${NS}.pod`);
    const podName = `${d.metadata.name}-0`;
    const c = prepareContainer(d, d.spec.template.spec.containers[0].name, objects, address, dir, undefined, identity(cluster, podName, d.spec.template.spec.serviceAccountName));
    const proc = startProcess(podName, build.argoEvents.bin, c.args, { ...c.env, KFA_LISTEN_HOST: address, PATH: `${bin}:${process.env.PATH}` }, addresses.hostsFile(), dir, { mounts: c.mounts });
    procs.push(proc);
    // an event source without a Service is called by nobody (a calendar source): it only publishes
    if (!service) { (source ? scheduled : sensors).push(proc); continue; }
    for (const p of service.spec.ports) {
      upstreams[`${service.metadata.name}.${NS}.svc.cluster.local:${p.port}`] = { host: address, port: p.targetPort ?? p.port };
      listening.push(() => request(p.targetPort ?? p.port, 'GET', '/health', {}, undefined, address).then((x) => x.status === 200).catch(() => false));
    }
  }
  await waitUntil('the event sources', async () => (await Promise.all(listening.map((l) => l()))).every(Boolean), procs);
  await waitUntil('the sensors', () => sensors.every((s) => /Subscribed to subject/.test(s.log(Number.MAX_SAFE_INTEGER))), procs);
  // argo-events v1.5.0 and v1.9.11 (pkg/eventsources/sources/calendar/start.go) log this before the schedule starts
  await waitUntil('the calendar sources', () => scheduled.every((s) => /started processing the calendar event source/.test(s.log(Number.MAX_SAFE_INTEGER))), procs);
  return upstreams;
}

/**
 * Starts Argo Events for the output `objects` already applied to `cluster` (see the file's
 * comment); the output's Secrets (webhook secrets) must be there.
 */
export async function startEvents(cluster: Cluster, platform: Platform, objects: readonly any[], addresses: ServiceAddresses, dir: string): Promise<EventsStack> {
  const build = eventsBinaries(platform);
  if ('skipped' in build) throw new Error(build.skipped);
  const notes = [
    `argo-events ${build.argoEvents.version}${build.argoEvents.version === build.argoEvents.wanted ? '' : ` (the preset assumes ${build.argoEvents.wanted}, which the Go module proxy does not serve)`}`,
    `argo CLI in the sensor: ${build.argo.version} (the argo-events image's ARGO_VERSION)`,
    `nats-streaming-server ${build.natsStreaming.version}`, LISTEN_PATCH,
  ];
  const procs: RunningProcess[] = [];
  const stop = () => procs.forEach((p) => p.stop());
  try {
    await runControllers(cluster, build, objects, addresses, dir, procs);
    const written = namespaceObjects(cluster);
    await startEventBus(build, written, addresses, dir, notes, procs);
    const upstreams = await startPods(cluster, build, written, addresses, dir, procs);
    return { upstreams, notes, logs: () => procs.map((p) => `--- ${p.name} log ---\n${p.log(20)}`).join('\n'), stop };
  } catch (e) {
    stop();
    throw e;
  }
}
