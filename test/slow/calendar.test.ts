// CalendarEventSource's checks against the code Argo Events' calendar source runs (test/fixtures/
// calendar: robfig/cron/v3 v3.0.1's parser as argo-events v1.9.11 and v1.5.6 configure it, Go's
// time.ParseDuration and cron's ConstantDelaySchedule, time.LoadLocation): on seeded random
// schedules and intervals the construct accepts exactly what the source accepts unchanged, and
// the cases where it is stricter on purpose are pinned with the source's own answer.
import { spawnSync } from 'child_process';
import { Testing } from 'cdk8s';
import { CalendarEventSource } from '../../packages/library/lib';
import { goModuleFixture } from '../support/util';

const fixture = goModuleFixture('calendar');
if (fixture.skipped) console.log(`calendar differential test skipped: ${fixture.skipped}`);

/** The source's answers, one per `[field, value]`: "ok", "ok <seconds>" (interval) or "err: …". */
function real(cases: ReadonlyArray<readonly [string, string]>): string[] {
  const res = spawnSync(fixture.bin!, [], { input: cases.map(([f, v]) => `${f}\t${v}\n`).join(''), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`calendar fixture failed: ${res.stderr}`);
  return res.stdout.trim().split('\n');
}

/** The construct's answer: undefined when it accepts, else its message. */
function ours(field: string, value: string): string | undefined {
  try {
    new CalendarEventSource(Testing.chart(), 's', field === 'timezone' ? { interval: '1h', timezone: value } : { [field]: value });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A small seeded generator (the same cases on every run). */
function rng(seed: number) {
  let s = seed;
  const next = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

const NAMES = ['JAN', 'feb', 'Mar', 'dec', 'MON', 'sun', 'Sat', 'fri', 'xyz'];
const MAX = [59, 23, 31, 12, 6];
/** One comma-separated part of field `i`: mostly in range, sometimes a name, an edge or out of range. */
function cronPart(r: ReturnType<typeof rng>, i: number): string {
  const num = () => (r.int(8) === 0 ? r.pick(NAMES) : r.int(6) === 0 ? String(r.pick([0, 1, 6, 7, 12, 13, 23, 24, 31, 32, 59, 60, 99])) : String(r.int(MAX[i] + 1)));
  const base = r.pick(['*', '?', 'n', 'n-n', 'n', 'n-n', '*']).replace(/n/g, () => num());
  return base + (r.int(3) === 0 ? `/${r.pick([0, 1, 2, 5, 15, 90])}` : '');
}
function schedule(r: ReturnType<typeof rng>): string {
  const n = r.int(10) === 0 ? r.pick([4, 6]) : 5;
  const fields = Array.from({ length: n }, (_, i) => Array.from({ length: 1 + (r.int(4) === 0 ? 1 : 0) }, () => cronPart(r, Math.min(i, 4))).join(','));
  return fields.join(r.pick([' ', ' ', '  ', '\t']));
}
function interval(r: ReturnType<typeof rng>): string {
  return Array.from({ length: 1 + r.int(2) }, () => `${r.pick(['0', '1', '2', '30', '90', '0.5', '1.5', '.25', '3600'])}${r.pick(['h', 'm', 's', 'ms', 'us', 'ns', 'x', ''])}`).join('');
}

(fixture.bin ? describe : describe.skip)('CalendarEventSource against robfig/cron v3.0.1 and Go', () => {
  test('2,000 random schedules: the construct accepts exactly what the cron parser accepts', () => {
    const r = rng(7);
    const cases = Array.from({ length: 2000 }, () => ['schedule', schedule(r)] as const);
    const answers = real(cases);
    const disagree = cases.filter(([, v], i) => (ours('schedule', v) === undefined) !== (answers[i] === 'ok')).map(([, v], i) => `${JSON.stringify(v)}: ours ${ours('schedule', v) ?? 'ok'}; cron ${answers[i]}`);
    expect(disagree).toEqual([]);
    const accepted = answers.filter((a) => a === 'ok').length;
    expect(accepted).toBeGreaterThan(200); // both answers are well represented
    expect(accepted).toBeLessThan(1800);
  });

  test('1,000 random intervals: the construct accepts exactly what the source runs unchanged (Go duration, whole seconds, at least one)', () => {
    const r = rng(11);
    const cases = Array.from({ length: 1000 }, () => ['interval', interval(r)] as const);
    const answers = real(cases);
    const goSeconds = (v: string) => { let s = 0; for (const [, n, u] of v.matchAll(/([\d.]+)(h|ms|m|s|us|ns)/g)) s += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 } as Record<string, number>)[u]; return s; };
    const disagree = cases.filter(([, v], i) => {
      const runsUnchanged = answers[i].startsWith('ok ') && Math.abs(Number(answers[i].slice(3)) - goSeconds(v)) < 1e-9;
      return (ours('interval', v) === undefined) !== runsUnchanged;
    }).map(([, v], i) => `${JSON.stringify(v)}: ours ${ours('interval', v) ?? 'ok'}; source ${answers[i]}`);
    expect(disagree).toEqual([]);
  });

  test('every time zone the construct accepts loads in Go; a case variant and "Local" are refused though Go loads them', () => {
    const zones = [...(Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone'), 'UTC', 'US/Eastern', 'Asia/Calcutta'];
    const accepted = zones.filter((z) => ours('timezone', z) === undefined);
    expect(accepted.length).toBeGreaterThan(400);
    const answers = real(accepted.map((z) => ['timezone', z] as const));
    expect(accepted.filter((_, i) => answers[i] !== 'ok')).toEqual([]);
    expect(real([['timezone', 'Mars/Olympus'], ['timezone', 'europe/berlin']])).toEqual([expect.stringMatching(/^err/), expect.stringMatching(/^err/)]);
    expect([ours('timezone', 'Mars/Olympus'), ours('timezone', 'europe/berlin')]).toEqual([expect.stringContaining('is not an IANA time zone'), expect.stringContaining('Fix: write "Europe/Berlin"')]);
  });

  test.each([
    ['schedule', 'CRON_TZ=UTC 0 2 * * *', 'carries its own time zone'],
    ['schedule', '*-5 * * * *', 'puts a range after "*"'],
    ['schedule', '+5 * * * *', 'is not a value'],
    ['interval', '500ms', 'is shorter than a second'],
    ['interval', '1.5s', 'is not whole seconds'],
    ['interval', '+90s', 'must be a duration'],
    ['timezone', 'Local', 'is not an IANA time zone name'],
  ])('stricter on purpose: %s %j, which the source accepts (or changes), is refused with the reason', (field, value, reason) => {
    expect(real([[field, value]])[0]).toMatch(/^ok/);
    expect(ours(field, value)).toContain(reason);
  });
});
