import { describeError, Logger, Redactor } from '../../src';

describe('Logger and Redactor', () => {
  it('writes one JSON object per line with context fields', () => {
    const lines: string[] = [];
    const log = new Logger({ sink: (l) => lines.push(l), fields: { engine: 'postgres' } }).child({
      step: 'setSecret',
    });
    log.info('password changed', { username: 'app' });
    log.debug('hidden at info level');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'info',
      message: 'password changed',
      engine: 'postgres',
      step: 'setSecret',
      username: 'app',
    });
  });

  it('redacts remembered secrets from every string, including ones with quotes', () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    redactor.remember('p"ass\\word', 'abc');
    const log = new Logger({ sink: (l) => lines.push(l), redactor });
    log.error('failed', {
      error: describeError(new Error("ALTER USER x PASSWORD 'p\"ass\\word'"), redactor),
      note: 'abc stays',
    });
    expect(lines[0]).not.toContain('ass');
    expect(lines[0]).toContain('[REDACTED]');
    expect(lines[0]).toContain('abc stays'); // too short to track
  });

  it('describes errors by name, code and message only', () => {
    const err = Object.assign(new Error('boom'), { code: '28P01', config: { password: 'x' } });
    expect(describeError(err)).toEqual({ name: 'Error', code: '28P01', message: 'boom' });
  });
});
