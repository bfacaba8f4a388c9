// Runs a container of a release's Deployment or StatefulSet as a local process for the
// request-path suite (issue 23), as the kubelet would run it in a pod:
// - **Files.** The process runs in a user and mount namespace of its own (`unshare`), chrooted
//   into a root made of the machine's own directories (bound) plus the pod's volumes at their
//   mount paths: ConfigMaps, Secrets and projected volumes of them, written under the run's
//   directory; emptyDirs and a StatefulSet's claims as empty directories (an emptyDir at /tmp is
//   the machine's /tmp); the ServiceAccount token, CA and namespace at
//   /var/run/secrets/kubernetes.io/serviceaccount when an account is given. /etc/hosts is the run's.
// - **Addresses.** Each Service (and each StatefulSet pod's DNS name) gets its own loopback address
//   (127.a.b.c) in that hosts file, and the pods behind it listen there: `0.0.0.0:` in the
//   container's args and mounted files becomes that address (printed by `describe`). The
//   release's config, with its in-cluster URLs, is used as it is. A Service called by a process
//   must have its port equal to its target port (nothing here translates ports).
// - **Env.** `value` (with `$(VAR)` references), `valueFrom` (configMapKeyRef, secretKeyRef,
//   fieldRef metadata.namespace and metadata.name) and `envFrom` are read from the objects given;
//   anything else is refused.
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

  /** Makes `alias` (a short Service name, a headless Service) resolve to `host`'s address. */
  public alias(alias: string, host: string): void {
    this.byName.set(alias, this.of(host));
  }

  /** The hosts file the processes see. */
  public hostsFile(): string {
    return ['127.0.0.1 localhost', '::1 localhost', ...[...this.byName].map(([h, a]) => `${a} ${h}`)].join('\n') + '\n';
  }
}

/** The pod a container runs in: its name (fieldRef metadata.name), and its account's token files, if it mounts them. */
export interface PodIdentity {
  readonly name: string;
  /** token, ca.crt and namespace, as the kubelet projects them. */
  readonly account?: Record<'token' | 'ca.crt' | 'namespace', string>;
  /** KUBERNETES_SERVICE_HOST and _PORT: the API server. */
  readonly apiServer?: { readonly host: string; readonly port: number };
}

/** Kubernetes' `$(VAR)` references in env values and args, from the env defined so far. */
const expand = (text: string, env: Record<string, string>) => text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => env[v] ?? m);

/** The container's environment, read from the objects (ConfigMaps and Secrets) given. */
export function containerEnv(container: any, namespace: string, objects: readonly any[], pod?: PodIdentity): Record<string, string> {
  const env: Record<string, string> = pod?.apiServer ? { KUBERNETES_SERVICE_HOST: pod.apiServer.host, KUBERNETES_SERVICE_PORT: String(pod.apiServer.port) } : {};
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    const o = find(objects, from.secretRef ? 'Secret' : 'ConfigMap', namespace, ref.name);
    for (const key of Object.keys({ ...o.data, ...o.stringData })) env[(from.prefix ?? '') + key] = decode(o, key)!;
  }
  const fields: Record<string, string | undefined> = { 'metadata.namespace': namespace, 'metadata.name': pod?.name };
  for (const e of container.env ?? []) {
    const v = e.valueFrom;
    if (!v) { env[e.name] = expand(e.value ?? '', env); continue; }
    if (v.fieldRef && fields[v.fieldRef.fieldPath] !== undefined) { env[e.name] = fields[v.fieldRef.fieldPath]!; continue; }
    const ref = v.secretKeyRef ?? v.configMapKeyRef;
    if (!ref) throw new Error(`pods: env ${e.name} (${JSON.stringify(v)}) is not modelled`);
    const value = decode(find(objects, v.secretKeyRef ? 'Secret' : 'ConfigMap', namespace, ref.name), ref.key);
    if (value === undefined && !ref.optional) throw new Error(`pods: env ${e.name}: key ${ref.key} not in ${ref.name}`);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

/** A container made ready to run: its args and env, its mounts (container path, file or directory here), and what was rewritten. */
export interface PreparedContainer { readonly args: string[]; readonly env: Record<string, string>; readonly mounts: Array<[string, string]>; readonly notes: string[] }

/** The files of a volume (path in the volume → text), or `undefined` for an empty directory. */
function volumeFiles(volume: any, ns: string, objects: readonly any[], workload: any): Map<string, string> | undefined {
  const itemsOf = (source: any, kind: string) => {
    const o = find(objects, kind, ns, source.name ?? source.secretName);
    const items: Array<{ key: string; path: string }> = source.items ?? Object.keys({ ...o.data, ...o.stringData }).map((key) => ({ key, path: key }));
    return items.map(({ key, path: p }) => [p, decode(o, key)!] as [string, string]);
  };
  if (volume.configMap) return new Map(itemsOf(volume.configMap, 'ConfigMap'));
  if (volume.secret) return new Map(itemsOf(volume.secret, 'Secret'));
  if (volume.projected) {
    return new Map(volume.projected.sources.flatMap((s: any) => (s.configMap ? itemsOf(s.configMap, 'ConfigMap') : s.secret ? itemsOf(s.secret, 'Secret') : (() => {
      throw new Error(`pods: projected source ${JSON.stringify(s)} of volume ${volume.name} is not modelled`);
    })())));
  }
  const claim = (workload.spec.volumeClaimTemplates ?? []).some((t: any) => t.metadata.name === volume.name);
  if (volume.emptyDir || claim) return undefined;
  throw new Error(`pods: volume ${volume.name} of ${ns}/${workload.metadata.name} is not modelled`);
}

/**
 * Writes the container's volumes under `dir` and returns its command and args and env with
 * `0.0.0.0:` replaced (see the file's comment), and its mounts; `edit` may change a mounted file's
 * text first (a harness change, which it must name in the notes).
 */
export function prepareContainer(workload: any, name: string, objects: readonly any[], address: string, dir: string,
  edit: (mountPath: string, text: string, notes: string[]) => string = (_p, t) => t, pod: PodIdentity = { name: workload.metadata.name }): PreparedContainer {
  const ns = workload.metadata.namespace;
  const spec = workload.spec.template.spec;
  const container = spec.containers.find((c: any) => c.name === name);
  const notes = [`listens on ${address} instead of 0.0.0.0`];
  const rewrite = (text: string) => text.replace(/0\.0\.0\.0:/g, `${address}:`);
  const mounts: Array<[string, string]> = [];
  const volumes = [...(spec.volumes ?? []), ...(workload.spec.volumeClaimTemplates ?? []).map((t: any) => ({ name: t.metadata.name }))];
  for (const m of container.volumeMounts ?? []) {
    const volume = volumes.find((v: any) => v.name === m.name);
    const host = path.join(dir, 'volumes', pod.name, m.name);
    if (fs.existsSync(host)) { mounts.push([m.mountPath, m.subPath ? path.join(host, m.subPath) : host]); continue; }
    const files = volumeFiles(volume, ns, objects, workload);
    fs.mkdirSync(host, { recursive: true });
    if (!files && m.mountPath === '/tmp') { notes.push('its emptyDir at /tmp is the machine\'s /tmp'); continue; }
    for (const [p, text] of files ?? []) {
      fs.mkdirSync(path.dirname(path.join(host, p)), { recursive: true });
      fs.writeFileSync(path.join(host, p), rewrite(edit(m.subPath ? path.join(m.mountPath, '..', p) : m.mountPath, text, notes)));
    }
    mounts.push([m.mountPath, m.subPath ? path.join(host, m.subPath) : host]);
  }
  if (pod.account && spec.automountServiceAccountToken !== false) {
    const host = path.join(dir, 'volumes', pod.name, 'kube-api-access');
    fs.mkdirSync(host, { recursive: true });
    for (const [file, text] of Object.entries(pod.account)) fs.writeFileSync(path.join(host, file), text);
    mounts.push(['/var/run/secrets/kubernetes.io/serviceaccount', host]);
  }
  const env = containerEnv(container, ns, objects, pod);
  const args = [...(container.command ?? []).slice(1), ...(container.args ?? [])].map((a: string) => rewrite(expand(a, env)));
  return { args, env, mounts, notes };
}

/** A process of the suite: its log and how to stop it. */
export interface RunningProcess { readonly name: string; readonly log: (lines?: number) => string; readonly exitCode: () => number | null; stop(): void }

/**
 * Polls `ready` every half second until it answers true; fails, with the last log lines of each of
 * `procs`, when one of them exits or `seconds` pass.
 */
export async function waitUntil(what: string, ready: () => boolean | Promise<boolean>, procs: readonly RunningProcess[], seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await ready())) {
    const dead = procs.find((p) => p.exitCode() !== null);
    if (dead || Date.now() > deadline) throw new Error(`${what}: ${dead ? `${dead.name} exited` : 'timed out'}:\n${procs.map((p) => `--- ${p.name} ---\n${p.log(40)}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Whether processes can run with their own /etc/hosts here (user and mount namespaces). */
export function canUnshare(): boolean {
  return spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'true']).status === 0;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell script that builds the process's root at `root` (a tmpfs) and runs `bin` chrooted in
 * it: each directory on the way to a mount point is made on the tmpfs and its other entries are
 * bound from the machine (directories recursively, files one by one, symbolic links copied); the
 * mounts are bound last. Nothing outside the mount namespace changes.
 */
export function rootScript(root: string, mounts: ReadonlyArray<readonly [string, string]>): string {
  mounts = mounts.map(([to, from]) => [hostPath(to), from] as const);
  const targets = new Set(mounts.map(([to]) => to));
  const made = new Set<string>(['/']);
  for (const [to] of mounts) for (let d = path.dirname(to); !made.has(d); d = path.dirname(d)) made.add(d);
  const lines = [`set -e`, `mount -t tmpfs tmpfs ${q(root)}`];
  const visit = (d: string) => {
    if (!fs.existsSync(d) || !fs.lstatSync(d).isDirectory()) return;
    for (const e of fs.readdirSync(d).sort()) {
      const p = path.join(d, e);
      if (targets.has(p) || p === root) continue;
      const st = fs.lstatSync(p);
      if (made.has(p) && st.isDirectory()) { lines.push(`mkdir ${q(root + p)}`); visit(p); continue; }
      if (st.isSymbolicLink()) lines.push(`ln -s ${q(fs.readlinkSync(p))} ${q(root + p)}`);
      else if (st.isDirectory()) lines.push(`mkdir ${q(root + p)} && mount --rbind ${q(p)} ${q(root + p)}`);
      else lines.push(`touch ${q(root + p)} && mount --bind ${q(p)} ${q(root + p)}`);
    }
  };
  visit('/');
  for (const [to, from] of mounts) {
    lines.push(fs.statSync(from).isDirectory() ? `mkdir -p ${q(root + to)}` : `mkdir -p ${q(path.dirname(root + to))} && touch ${q(root + to)}`);
    lines.push(`mount --bind ${q(from)} ${q(root + to)}`);
  }
  lines.push(`exec chroot ${q(root)} /bin/sh -c 'cd "$0" && exec "$@"' "$@"`);
  return lines.join('\n') + '\n';
}

/**
 * `p` with the symbolic links on its way resolved as the machine has them (`/var/run/x` is
 * `/run/x` where /var/run links to /run): a mount point must be made where the link leads, never
 * through the link (which would lead outside the new root).
 */
function hostPath(p: string): string {
  let existing = p;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  return path.join(fs.realpathSync(existing), path.relative(existing, p));
}

/** Where and with what a process runs besides its hosts file: its directory (default the run's) and its mounts. */
export interface ProcessOptions { readonly cwd?: string; readonly mounts?: ReadonlyArray<readonly [string, string]> }

/**
 * Starts `bin` with `args` and `env` (and PATH, HOME) in its own root (see rootScript) seeing
 * `hosts` as /etc/hosts and `mounts` at their paths, in `cwd`; its output goes to `dir/<name>.log`.
 */
export function startProcess(name: string, bin: string, args: readonly string[], env: Record<string, string>, hosts: string, dir: string, options: ProcessOptions = {}): RunningProcess {
  const hostsFile = path.join(dir, `${name}.hosts`);
  fs.writeFileSync(hostsFile, hosts);
  const root = path.join(dir, `${name}.root`);
  fs.mkdirSync(root, { recursive: true });
  const script = path.join(dir, `${name}.root.sh`);
  fs.writeFileSync(script, rootScript(root, [...(options.mounts ?? []), ['/etc/hosts', hostsFile]]));
  const logFile = path.join(dir, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const proc: ChildProcess = spawn('unshare', ['--user', '--map-root-user', '--mount', 'sh', script, options.cwd ?? dir, bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', out, out], detached: true, cwd: dir,
  });
  return {
    name,
    log: (lines = 25) => fs.readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n'),
    exitCode: () => proc.exitCode,
    stop: () => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } },
  };
}
