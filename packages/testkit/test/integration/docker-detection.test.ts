import { detectDocker } from '../../src/docker-detection';

describe('detectDocker', () => {
  it('answers (yes or no) and prints nothing, engine or not', async () => {
    const writes: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const status = await detectDocker();
      expect(typeof status.available).toBe('boolean');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(writes).toEqual([]);
  });

  it('answers again from its cache', async () => {
    const first = await detectDocker();
    expect(await detectDocker()).toBe(first);
  });
});
