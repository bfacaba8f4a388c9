// Runs a container of a release's Deployment as a local process for the request-path suite (issue
// 23), as the kubelet would run it in a pod, with three differences, each printed by `describe`:
// - **Addresses.** Each Service gets its own loopback address (127.a.b.c) and the pods behind it
//   listen there: `0.0.0.0:` in the container's args and mounted files becomes that address. The
//   process sees the in-cluster names (`dex.auth.svc.cluster.local`) in its own /etc/hosts: it runs
//   in a user and mount namespace of its own (`unshare`) with a hosts file bound over /etc/hosts,
//   so the release's config, with its in-cluster URLs, is used as it is. A Service called by a
//   process must have its port equal to its target port (nothing here translates ports).
// - **Files.** Volumes from ConfigMaps and Secrets are written under the run's directory, and
//   their mount paths are replaced by those directories in the args and in the mounted files.
// - **Env.** `value`, `valueFrom` (configMapKeyRef, secretKeyRef, fieldRef metadata.namespace)
//   and `envFrom` are read from the objects given; anything else is refused.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const decode = (o: any, key: string): string | undefined => (o.kind === 'Secret'
  ? (o.stringData?.[key] ?? (o.data?.[key] !== undefined ? Buffer.from(o.data[key], 'base64').toString() : undefined))
  : o.data?.[key]);
const find = (objects: readonly any[], kind: string, ns: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (x.metadata.namespace ?? ns) === ns);
  if (!o) throw new Error(`pods: ${kind} ${ns}/${name} is not among the objects given`);
  return o;
};

/** The loopback address of each Service (`name.namespace.svc.cluster.local`), one /24 per run. */
export class ServiceAddresses {
  private readonly base = `127.${randomInt(16, 250)}.${randomInt(1, 250)}`;
  private readonly byName = new Map<string, string>();

  /** The address of `host` (an in-cluster Service name), given on first use. */
  public of(host: string): string {
    if (!this.byName.has(host)) this.byName.set(host, `${this.base}.${this.byName.size + 2}`);
    return this.byName.get(host)!;
  }

  /** The hosts file the processes see. */
  public hostsFile(): string {
    return ['127.0.0.1 localhost', '::1 localhost', ...[...this.byName].map(([h, a]) => `${a} ${h}`)].join('\n') + '\n';
  }
}

/** The container's environment, read from the objects (ConfigMaps and Secrets) given. */
export function containerEnv(container: any, namespace: string, objects: readonly any[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    const o = find(objects, from.secretRef ? 'Secret' : 'ConfigMap', namespace, ref.name);
    for (const key of Object.keys({ ...o.data, ...o.stringData })) env[(from.prefix ?? '') + key] = decode(o, key)!;
  }
  for (const e of container.env ?? []) {
    const v = e.valueFrom;
    if (!v) { env[e.name] = e.value ?? ''; continue; }
    if (v.fieldRef?.fieldPath === 'metadata.namespace') { env[e.name] = namespace; continue; }
    const ref = v.secretKeyRef ?? v.configMapKeyRef;
    if (!ref) throw new Error(`pods: env ${e.name} (${JSON.stringify(v)}) is not modelled`);
    const value = decode(find(objects, v.secretKeyRef ? 'Secret' : 'ConfigMap', namespace, ref.name), ref.key);
    if (value === undefined && !ref.optional) throw new Error(`pods: env ${e.name}: key ${ref.key} not in ${ref.name}`);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

/** A container made ready to run: its args and env with the rewrites, and what was rewritten. */
export interface PreparedContainer { readonly args: string[]; readonly env: Record<string, string>; readonly notes: string[] }

/**
 * Writes the container's ConfigMap and Secret volumes under `dir` and returns its command and args
 * and env with the mount paths and `0.0.0.0:` replaced (see the file's comment); `edit` may change a
 * mounted file's text first (a harness change, which it must name in the notes).
 */
export function prepareContainer(deployment: any, name: string, objects: readonly any[], address: string, dir: string,
  edit: (mountPath: string, text: string, notes: string[]) => string = (_p, t) => t): PreparedContainer {
  const ns = deployment.metadata.namespace;
  const spec = deployment.spec.template.spec;
  const container = spec.containers.find((c: any) => c.name === name);
  const notes = [`listens on ${address} instead of 0.0.0.0`];
  const mounts: Array<[string, string]> = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = spec.volumes.find((v: any) => v.name === m.name);
    const source = volume.configMap ?? volume.secret;
    if (!source) throw new Error(`pods: volume ${m.name} of ${ns}/${deployment.metadata.name} is neither a ConfigMap nor a Secret`);
    const o = find(objects, volume.configMap ? 'ConfigMap' : 'Secret', ns, source.name ?? source.secretName);
    const items: Array<{ key: string; path: string }> = source.items ?? Object.keys({ ...o.data, ...o.stringData }).map((key) => ({ key, path: key }));
    const host = path.join(dir, 'volumes', m.name);
    for (const item of items) {
      fs.mkdirSync(path.dirname(path.join(host, item.path)), { recursive: true });
      fs.writeFileSync(path.join(host, item.path), decode(o, item.key)!);
    }
    mounts.push([m.mountPath, m.subPath ? path.join(host, m.subPath) : host]);
  }
  const rewrite = (text: string) => mounts.reduce((t, [from, to]) => t.split(from).join(to), text).replace(/0\.0\.0\.0:/g, `${address}:`);
  for (const [from, to] of mounts) {
    notes.push(`${from} is ${to}`);
    for (const file of fs.statSync(to).isDirectory() ? fs.readdirSync(to).map((f) => path.join(to, f)) : [to]) {
      fs.writeFileSync(file, rewrite(edit(from, fs.readFileSync(file, 'utf8'), notes)));
    }
  }
  const args = [...(container.command ?? []).slice(1), ...(container.args ?? [])].map(rewrite);
  return { args, env: containerEnv(container, ns, objects), notes };
}

/** A process of the suite: its log and how to stop it. */
export interface RunningProcess { readonly log: (lines?: number) => string; readonly exitCode: () => number | null; stop(): void }

/** Whether processes can run with their own /etc/hosts here (user and mount namespaces). */
export function canUnshare(): boolean {
  return spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'true']).status === 0;
}

/** Starts `bin` with `args` and `env` (and PATH, HOME) seeing `hosts` as /etc/hosts, in `cwd` (default `dir`); its output goes to `dir/<name>.log`. */
export function startProcess(name: string, bin: string, args: readonly string[], env: Record<string, string>, hosts: string, dir: string, cwd = dir): RunningProcess {
  const hostsFile = path.join(dir, `${name}.hosts`);
  fs.writeFileSync(hostsFile, hosts);
  const logFile = path.join(dir, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const proc: ChildProcess = spawn('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile, bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', out, out], detached: true, cwd,
  });
  return {
    log: (lines = 25) => fs.readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n'),
    exitCode: () => proc.exitCode,
    stop: () => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } },
  };
}
