import { detectDocker } from '../../src/docker-detection';

describe('detectDocker', () => {
  it('answers within two seconds and prints nothing, engine or not', async () => {
    const writes: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const started = Date.now();
    try {
      const status = await detectDocker();
      expect(typeof status.available).toBe('boolean');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(writes).toEqual([]);
  });

  it('answers again from its cache at once', async () => {
    const first = await detectDocker();
    const started = Date.now();
    expect(await detectDocker()).toBe(first);
    expect(Date.now() - started).toBeLessThan(50);
  });
});
