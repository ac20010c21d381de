import {
  breakDownSteps,
  countOperations,
  formatBreakdown,
  type StepWindow,
} from '../../src/bench/step-breakdown';
import { type WireEvent, WireMeter } from '../../src/bench/wire-meter';

describe('breakDownSteps', () => {
  const windows: StepWindow[] = [
    { rotation: 1, step: 'createSecret', start: 0, end: 10, cpuMs: 2 },
    { rotation: 1, step: 'setSecret', start: 10, end: 30, cpuMs: 4 },
    { rotation: 2, step: 'createSecret', start: 100, end: 114, cpuMs: 3 },
    { rotation: 2, step: 'setSecret', start: 114, end: 130, cpuMs: 5 },
  ];
  const events: WireEvent[] = [
    { kind: 'call', operation: 'GetSecretValue', start: 1, end: 4 },
    { kind: 'call', operation: 'GetSecretValue', start: 4, end: 6 },
    { kind: 'call', operation: 'PutSecretValue', start: 6, end: 9 },
    { kind: 'login', failed: true, start: 11, end: 15 },
    { kind: 'login', failed: false, start: 15, end: 22 },
    { kind: 'round-trip', start: 22, end: 25 },
    { kind: 'call', operation: 'GetSecretValue', start: 101, end: 105 },
    { kind: 'login', failed: false, start: 115, end: 120 },
    { kind: 'round-trip', start: 120, end: 122 },
    { kind: 'round-trip', start: 122, end: 124 },
  ];

  it('attributes each event to the step it started in and takes medians over the rotations', () => {
    const [create, set] = breakDownSteps(windows, events, ['createSecret', 'setSecret']);
    expect(create?.rotations).toBe(2);
    expect(create?.secretsManagerCalls).toMatchObject({ median: 2, min: 1, max: 3 });
    expect(create?.secretsManagerMs.median).toBe(6); // 8 ms and 4 ms
    expect(create?.operations).toEqual(['GetSecretValue x2', 'PutSecretValue']);
    expect(create?.stepMs.median).toBe(12);
    expect(create?.cpuMs.median).toBe(2.5);
    expect(set?.logins).toMatchObject({ min: 1, max: 2 });
    expect(set?.failedLogins).toBe(1);
    expect(set?.roundTrips).toMatchObject({ min: 1, max: 2 });
    expect(set?.roundTripMs.median).toBe(3.5);
    // setSecret of rotation 1: 20 ms = 11 login + 3 round trip + 6 other; rotation 2: 16 = 5 + 4 + 7.
    expect(set?.otherMs.median).toBe(6.5);
    expect(set?.largestCost).toBe('database logins (8 ms)');
  });

  it('gives a step the harness never saw no figures rather than zeros', () => {
    const [finish] = breakDownSteps(windows, events, ['finishSecret']);
    expect(finish?.rotations).toBe(0);
    expect(Number.isNaN(finish?.stepMs.median)).toBe(true);
  });

  it('formats one row per step, counts with their range when runs differ, and the largest cost', () => {
    const text = formatBreakdown(
      'single-user',
      breakDownSteps(windows, events, ['createSecret', 'setSecret']),
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('  single-user');
    expect(lines[1]).toMatch(/^ {2}step \(medians\)\s+ms\s+SM calls\s+SM ms\s+logins\s+failed/);
    expect(lines[2]).toMatch(/^ {2}createSecret\s+12\.0\s+2 \(1-3\)\s+6\.0\s+0\s+0\s/);
    expect(lines[3]).toMatch(/^ {2}setSecret\s+18\.0\s+0\s+0\.0\s+1\.5 \(1-2\)\s+1\s/);
    expect(lines[5]).toBe('    setSecret: no calls; largest: database logins (8 ms)');
  });

  it('counts operations in first-appearance order', () => {
    expect(countOperations(['B', 'A', 'B'])).toEqual(['B x2', 'A']);
  });
});

describe('WireMeter (bytes handed in, as the proxy forwards them)', () => {
  let clock = 0;
  const tick = () => clock++;
  const pg = (type: string, body = Buffer.alloc(0)) => {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(4 + body.length, 1);
    return Buffer.concat([head, body]);
  };

  it('PostgreSQL: a login ends at ReadyForQuery, then each turn is one round trip', () => {
    const meter = new WireMeter('postgres', tick);
    meter.opened(1);
    meter.data(1, true, Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])); // SSLRequest
    meter.data(1, false, Buffer.from('N'));
    meter.data(1, true, Buffer.from('startup'));
    const ready = Buffer.concat([
      pg('R', Buffer.alloc(4)),
      pg('S', Buffer.from('a\0b\0')),
      pg('Z', Buffer.from('I')),
    ]);
    meter.data(1, false, ready.subarray(0, 7)); // split across chunks
    meter.data(1, false, ready.subarray(7));
    meter.data(1, true, Buffer.from('query'));
    meter.data(1, false, pg('Z', Buffer.from('I')));
    meter.data(1, true, Buffer.from('X')); // Terminate: no answer, no round trip
    meter.closed(1);
    expect(meter.events.map((e) => e.kind)).toEqual(['login', 'round-trip']);
    expect(meter.events[0]).toMatchObject({ failed: false });
  });

  it('PostgreSQL: an ErrorResponse during startup is a failed login', () => {
    const meter = new WireMeter('postgres', tick);
    meter.opened(1);
    meter.data(1, true, Buffer.from('startup'));
    meter.data(1, false, pg('E', Buffer.from('SFATAL\0')));
    meter.closed(1);
    expect(meter.events).toEqual([expect.objectContaining({ kind: 'login', failed: true })]);
  });

  it('MySQL: greeting, auth switch, then OK is one login; an ERR packet fails it', () => {
    const packet = (seq: number, payload: number[]) => Buffer.from([payload.length, 0, 0, seq, ...payload]);
    const meter = new WireMeter('mysql', tick);
    meter.opened(1);
    meter.data(1, false, packet(0, [0x0a, 1, 2]));
    meter.data(1, true, packet(1, [9, 9]));
    meter.data(1, false, packet(2, [0xfe, 1]));
    meter.data(1, true, packet(3, [9]));
    meter.data(1, false, packet(4, [0x00, 0, 0]));
    meter.data(1, true, packet(0, [3, 1]));
    meter.data(1, false, packet(1, [0x00, 0, 0]));
    meter.closed(1);
    meter.opened(2);
    meter.data(2, false, packet(0, [0x0a]));
    meter.data(2, true, packet(1, [9]));
    meter.data(2, false, packet(2, [0xff, 0x15, 0x04]));
    meter.closed(2);
    expect(meter.events.map((e) => (e.kind === 'login' ? `login ${e.failed}` : e.kind))).toEqual([
      'login false',
      'round-trip',
      'login true',
    ]);
  });

  it('HTTP: each request is a call named by its X-Amz-Target; no logins', () => {
    const meter = new WireMeter('http', tick);
    meter.opened(1);
    meter.data(
      1,
      true,
      Buffer.from('POST / HTTP/1.1\r\nX-Amz-Target: secretsmanager.GetSecretValue\r\n\r\n'),
    );
    meter.data(1, false, Buffer.from('HTTP/1.1 200 OK\r\n\r\n{}'));
    meter.data(
      1,
      true,
      Buffer.from('POST / HTTP/1.1\r\nx-amz-target: secretsmanager.PutSecretValue\r\n\r\n'),
    );
    meter.data(1, false, Buffer.from('HTTP/1.1 200 OK\r\n\r\n{}'));
    meter.closed(1);
    expect(meter.events.map((e) => (e.kind === 'call' ? e.operation : e.kind))).toEqual([
      'GetSecretValue',
      'PutSecretValue',
    ]);
  });
});
