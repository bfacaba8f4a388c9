// Two synths give byte-identical output, whatever order profiles are listed in.
import { Testing } from 'cdk8s';
import { KubeflowArgoChart } from '../lib';
import { buildApp } from '../main';
import { synthToDir } from './util';


test('two synths of the default app are byte-identical', () => {
  const a = synthToDir(buildApp);
  const b = synthToDir(buildApp);
  expect(Object.keys(a).length).toBeGreaterThan(0);
  expect(a).toEqual(b);
});

test('profile order does not change the output', () => {
  const yaml = (profiles: string[]) => {
    const app = Testing.app();
    new KubeflowArgoChart(app, 'c', { profiles });
    return app.synthYaml();
  };
  expect(yaml(['carol', 'alice', 'bob'])).toBe(yaml(['alice', 'bob', 'carol']));
  expect(yaml(['carol', 'alice', 'bob']).indexOf('namespace: alice')).toBeLessThan(yaml(['carol', 'alice', 'bob']).indexOf('namespace: carol'));
});

test('no timestamps or random suffixes: names are the contract', () => {
  const text = synthToDir(buildApp);
  const all = Object.values(text).join('\n');
  expect(all).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  expect(all).not.toMatch(/creationTimestamp/);
  // cdk8s adds an 8-hex-digit hash to generated names; every name here is set explicitly
  expect(all).not.toMatch(/name: [a-z0-9-]*-[0-9a-f]{8}\b/);
});
