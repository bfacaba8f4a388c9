// The cluster suites' own harness (test/support/cluster.ts): a program whose port was taken between
// freePort and its bind is started again with new ports; any other failure is not retried.
import { PortTakenError, startError, withFreshPorts } from '../support/cluster';

describe('withFreshPorts', () => {
  test('a port taken meanwhile starts the program again, up to three times', async () => {
    let attempts = 0;
    const said: string[] = [];
    const started = await withFreshPorts(async () => {
      attempts++;
      if (attempts < 3) throw startError('kube-apiserver did not start', 'E1205 listen tcp 127.0.0.1:40123: bind: address already in use');
      return 'running';
    }, (line) => said.push(line));
    expect([started, attempts]).toEqual(['running', 3]);
    expect(said).toEqual(['a port was taken while a test program started; starting again (attempt 2 of 3)', 'a port was taken while a test program started; starting again (attempt 3 of 3)']);
  });

  test('gives up after the third attempt with the last error', async () => {
    let attempts = 0;
    const start = withFreshPorts(async () => { attempts++; throw startError(`attempt ${attempts}`, 'bind: address already in use'); }, () => undefined);
    await expect(start).rejects.toThrow('attempt 3');
    expect(attempts).toBe(3);
  });

  test('any other failure is thrown at once', async () => {
    let attempts = 0;
    const start = withFreshPorts(async () => { attempts++; throw startError('etcd did not start', 'etcdmain: open /nowhere: permission denied'); });
    await expect(start).rejects.toThrow('etcd did not start');
    expect(attempts).toBe(1);
  });

  test('startError tells a taken port from other failures', () => {
    expect(startError('x', 'listen tcp 127.0.0.1:1: bind: address already in use')).toBeInstanceOf(PortTakenError);
    expect(startError('x', 'connection refused')).not.toBeInstanceOf(PortTakenError);
  });
});
