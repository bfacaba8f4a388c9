// The programs of Argo Events a preset assumes, built from their Go modules (issue 23, case 5;
// test/support/go-bin.ts):
// - argo-events (`./cmd`, one binary: the controllers, `eventsource-service`, `sensor-service`) at
//   the preset's version, or the nearest the Go module proxy serves: on 2026-12-05 it served
//   v1.9.11 but none of v1.5.1-v1.5.6, so Kubeflow 1.4's v1.5.6 runs as v1.5.0.
// - the `argo` CLI that the argo-events image carries (its Dockerfile's ARGO_VERSION; the sensor's
//   argoWorkflow trigger runs `argo -n <ns> submit <file>`: pkg/sensors/triggers/argo-workflow at
//   v1.9.11, sensors/triggers/argo-workflow at v1.5.0), built as argo-server is (test/support/argo-server-bin.ts).
//   One change to its code, named by `LISTEN_PATCH` and printed: where it listens on every address
//   at a fixed port (`:7777` metrics and `:8081` health in every program, `:<port>` webhooks), it
//   listens on $KFA_LISTEN_HOST (unset: every address, as upstream), so that several event
//   sources, sensors and controllers run side by side here, each on its pod's loopback address.
// - nats-streaming-server, the native EventBus's server, at the version of the image the
//   controller's config names (`nats-streaming:0.22.1` in both lines' install.yaml).
import * as fs from 'fs';
import * as path from 'path';
import { Platform } from '../../packages/library/lib';
import { argoServerBinary, ArgoServerBuild } from './argo-server-bin';
import { goBinary, GoBuild } from './go-bin';

/** What the proxy serves of each Argo Events line the presets name, best first for each wanted version. */
const ARGO_EVENTS_VERSIONS: Record<string, readonly string[]> = {
  'v1.5.6': ['v1.5.6', 'v1.5.5', 'v1.5.4', 'v1.5.3', 'v1.5.2', 'v1.5.1', 'v1.5.0'],
  'v1.9.11': ['v1.9.11', 'v1.9.10'],
};

/** The Argo Events version a preset assumes (`v1.9.11`). */
export const argoEventsTag = (platform: Platform): string => platform.spec.argoEvents.release.replace('argo-events-', '');

/** The programs of a preset's Argo Events, each with the version it was built from. */
export interface EventsBuild {
  readonly argoEvents: GoBuild & { readonly wanted: string };
  /** The `argo` CLI of the argo-events image. */
  readonly argo: ArgoServerBuild;
  readonly natsStreaming: GoBuild & { readonly wanted: string };
  /** argo-events' install.yaml at the version built (its CRDs, controllers and their config). */
  readonly install: string;
}

/** The programs, or why they cannot be had (tests then skip; under CI=true they fail). */
export function eventsBinaries(platform: Platform): EventsBuild | { skipped: string } {
  const wanted = argoEventsTag(platform);
  const versions = ARGO_EVENTS_VERSIONS[wanted];
  if (!versions) return { skipped: `Argo Events ${wanted} has no entry in test/support/events-bin.ts` };
  const events = goBinary({ name: 'argo-events', module: 'github.com/argoproj/argo-events', pkg: './cmd', files: listenPatch }, versions);
  if ('skipped' in events) return events;
  const dockerfile = fs.readFileSync(path.join(events.moduleDir, 'Dockerfile'), 'utf8');
  const argoVersion = /^ENV ARGO_VERSION=(v\d+\.\d+\.\d+)$/m.exec(dockerfile)?.[1];
  if (!argoVersion) throw new Error(`argo-events ${events.version}: no ARGO_VERSION in its Dockerfile`);
  const argo = argoServerBinary(argoVersion);
  if ('skipped' in argo) return argo;
  const install = fs.readFileSync(path.join(events.moduleDir, 'manifests', 'install.yaml'), 'utf8');
  const stanImage = /natsStreamingImage: nats-streaming:(\S+)|value: nats-streaming:(\S+)/.exec(install);
  if (!stanImage) throw new Error(`argo-events ${events.version}: install.yaml names no nats-streaming image`);
  const stanWanted = `v${stanImage[1] ?? stanImage[2]}`;
  const stan = goBinary({ name: 'nats-streaming-server', module: 'github.com/nats-io/nats-streaming-server', pkg: '.' }, [stanWanted]);
  if ('skipped' in stan) return stan;
  return { argoEvents: { ...events, wanted }, argo, natsStreaming: { ...stan, wanted: stanWanted }, install };
}

/** What the listen patch says of itself (printed with the versions). */
export const LISTEN_PATCH = 'argo-events listens on its pod\'s address ($KFA_LISTEN_HOST) where upstream listens on every address (test/support/events-bin.ts listenPatch)';

/** The listen addresses the patch changes: `fmt.Sprintf(":%d", …)` / `":8081"` given as a bind address or to the metrics server. */
const LISTEN = /((?:BindAddress|Addr)\s*[:=]\s*|go m\.Run\(ctx,\s*)(?:fmt\.Sprintf\(":(%[ds]|%v)",|":(\d+)")/g;

/**
 * The module's Go files (outside tests) whose listen addresses take $KFA_LISTEN_HOST; fails when
 * the event source's and sensor's metrics or the webhook server are not among them.
 */
export function listenPatch(moduleDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(moduleDir, rel), { withFileTypes: true })) {
      const file = path.join(rel, e.name);
      if (e.isDirectory() && !['vendor', 'test', 'hack', 'docs', 'examples', 'api'].includes(e.name)) walk(file);
      if (!e.isFile() || !file.endsWith('.go') || file.endsWith('_test.go')) continue;
      const text = fs.readFileSync(path.join(moduleDir, file), 'utf8');
      if (!LISTEN.test(text)) continue;
      let patched = text.replace(LISTEN, (_m, lead, verb, port) => (verb ? `${lead}fmt.Sprintf(os.Getenv("KFA_LISTEN_HOST")+":${verb}",` : `${lead}os.Getenv("KFA_LISTEN_HOST")+":${port}"`));
      if (!/^\s*"os"$/m.test(patched)) patched = patched.replace(/^import \(/m, 'import (\n\t"os"');
      out.set(file, patched);
    }
  };
  walk('');
  const changed = [...out.keys()].join(' ');
  for (const needed of [/eventsources\/cmd\/start\.go/, /sensors\/cmd\/start\.go/, /eventsources\/common\/webhook\/webhook\.go/]) {
    if (!needed.test(changed)) throw new Error(`test/support/events-bin.ts listenPatch: no listen address found in ${needed.source} of ${moduleDir}`);
  }
  return out;
}
