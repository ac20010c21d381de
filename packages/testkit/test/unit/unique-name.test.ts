import { uniqueName } from '../../src/unique-name';

describe('uniqueName', () => {
  it('is the prefix plus six base-36 characters', () => {
    expect(uniqueName('rot_app_')).toMatch(/^rot_app_[0-9a-z]{6}$/);
  });

  it('differs between calls', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueName('u')));
    expect(names.size).toBe(200);
  });

  it('fits MySQL user names (32) even from a long prefix, and is a plain identifier', () => {
    const name = uniqueName('A-very-long prefix that goes on and on and on');
    expect(name.length).toBeLessThanOrEqual(24);
    expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
  });

  it('starts with a letter or underscore even when the prefix starts with a digit', () => {
    expect(uniqueName('9lives')).toMatch(/^t_9lives[0-9a-z]{6}$/);
  });
});
