import {
  cachingSha2PasswordHash,
  ed25519PasswordHash,
  nativePasswordHash,
  sha256CryptDigest,
} from '../../src/mysql-password-hash';

describe('SHA-256-crypt (the reference vectors of the SHA-crypt specification)', () => {
  // [rounds, salt (already cut to 16 characters, as glibc does), key, digest]
  const VECTORS: [number, string, string, string][] = [
    [5000, 'saltstring', 'Hello world!', '5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    [10000, 'saltstringsaltst', 'Hello world!', '3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
    [5000, 'toolongsaltstrin', 'This is just a test', 'Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5'],
    [
      1400,
      'anotherlongsalts',
      'a very much longer text to encrypt.  This one even stretches over morethan one line.',
      'Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1',
    ],
    [
      77777,
      'short',
      'we have a short salt string but not a short password',
      'JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/',
    ],
    [123456, 'asaltof16chars..', 'a short string', 'gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD'],
    [
      1000,
      'roundstoolow',
      'the minimum number is still observed',
      'yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC',
    ],
  ];
  it.each(VECTORS)('rounds=%i salt=%s', (rounds, salt, key, digest) => {
    expect(sha256CryptDigest(Buffer.from(key), Buffer.from(salt), rounds)).toBe(digest);
  });
});

describe('stored password hashes', () => {
  it('mysql_native_password: * and upper-case hex of SHA1(SHA1(pw)) (values MariaDB 10.11 stored)', () => {
    expect(nativePasswordHash('pw1')).toBe('*2B602296A79E0A8784ACC5C88D92E46588CCA3C3');
    expect(nativePasswordHash('test_password')).toBe('*4414E26EDED6D661B5386813EBBA95065DBC4728');
  });

  it('ed25519: the public key MariaDB 10.11 stored for the password', () => {
    expect(ed25519PasswordHash('pw1')).toBe('9IaQu55QANbcP3OBku7SlJub/VL12GY9ElYo6ITP9WY');
    expect(ed25519PasswordHash('pw2')).toBe('iGRouygp5VwPhO1Nw3XHv2nRNSJmY6g6Clsn5zqjRqU');
  });

  it('caching_sha2_password: $A$005$, a 20-byte salt and the 5000-round SHA-256-crypt digest', () => {
    const salt = 'abcdefghij0123456789';
    expect(cachingSha2PasswordHash('Hello world!', salt)).toBe(
      `$A$005$${salt}${sha256CryptDigest(Buffer.from('Hello world!'), Buffer.from(salt), 5000)}`,
    );
    const random = cachingSha2PasswordHash('p');
    expect(random).toMatch(/^\$A\$005\$[./0-9A-Za-z]{20}[./0-9A-Za-z]{43}$/);
    expect(cachingSha2PasswordHash('p')).not.toBe(random);
    expect(() => cachingSha2PasswordHash('p', 'short')).toThrow(/20 printable characters/);
  });
});
