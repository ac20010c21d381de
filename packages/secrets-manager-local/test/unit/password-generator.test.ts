import { generatePassword, PUNCTUATION } from '../../src/password-generator';

test('the punctuation class is exactly the 32 characters AWS documents', () => {
  expect(PUNCTUATION).toHaveLength(32);
  expect(PUNCTUATION).toBe('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
});

test('every included class appears when required, even in short passwords', () => {
  for (let i = 0; i < 500; i++) {
    const password = generatePassword({ PasswordLength: 4 });
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[0-9]/);
    expect([...password].some((c) => PUNCTUATION.includes(c))).toBe(true);
  }
});

test('a space may appear with IncludeSpace but is never required', () => {
  expect(generatePassword({ PasswordLength: 4, IncludeSpace: true })).toHaveLength(4);
  const withSpaces = Array.from({ length: 50 }, () =>
    generatePassword({ PasswordLength: 200, IncludeSpace: true }),
  );
  expect(withSpaces.some((p) => p.includes(' '))).toBe(true);
});

test('excluded characters shrink the classes; a class emptied by exclusion is not required', () => {
  const password = generatePassword({
    PasswordLength: 3,
    ExcludeCharacters: '0123456789',
    ExcludePunctuation: true,
  });
  expect(password).toMatch(/^[A-Za-z]{3}$/);
});

test('RequireEachIncludedType=false allows lengths below the number of classes', () => {
  expect(generatePassword({ PasswordLength: 1, RequireEachIncludedType: false })).toHaveLength(1);
});

test('excluding everything is refused', () => {
  expect(() =>
    generatePassword({
      ExcludeLowercase: true,
      ExcludeUppercase: true,
      ExcludeNumbers: true,
      ExcludePunctuation: true,
    }),
  ).toThrow(expect.objectContaining({ code: 'InvalidParameterException' }));
});
