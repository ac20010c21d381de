import { InvalidEventError, parseRotationEvent } from '../../src';

const token = '0123456789abcdef0123456789abcdef';
const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';

describe('parseRotationEvent', () => {
  it('accepts the four steps with and without RotationToken', () => {
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(parseRotationEvent({ Step, SecretId: arn, ClientRequestToken: token })).toEqual({
        Step,
        SecretId: arn,
        ClientRequestToken: token,
      });
    }
    const rt = 'a'.repeat(36);
    expect(
      parseRotationEvent({ Step: 'setSecret', SecretId: arn, ClientRequestToken: token, RotationToken: rt })
        .RotationToken,
    ).toBe(rt);
  });

  it.each([
    ['a string', 'not an object', /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['an array', [1], /must be a JSON object/],
    [
      'missing SecretId',
      { Step: 'setSecret', ClientRequestToken: token },
      /SecretId must be a non-empty string, not missing/,
    ],
    [
      'numeric SecretId',
      { Step: 'setSecret', SecretId: 7, ClientRequestToken: token },
      /SecretId .* not a number/,
    ],
    [
      'missing token',
      { Step: 'setSecret', SecretId: arn },
      /ClientRequestToken must be a string, not missing/,
    ],
    [
      'short token',
      { Step: 'setSecret', SecretId: arn, ClientRequestToken: 'abc' },
      /32 to 64 characters long, not 3/,
    ],
    [
      'unknown step',
      { Step: 'deleteSecret', SecretId: arn, ClientRequestToken: token },
      /Step must be one of .* not "deleteSecret"/,
    ],
    [
      'lower-case step',
      { Step: 'createsecret', SecretId: arn, ClientRequestToken: token },
      /Step must be one of/,
    ],
    ['missing step', { SecretId: arn, ClientRequestToken: token }, /Step must be one of .* not missing/],
    [
      'bad RotationToken',
      { Step: 'setSecret', SecretId: arn, ClientRequestToken: token, RotationToken: 'x y' },
      /RotationToken/,
    ],
  ])('rejects %s with InvalidEventError', (_name, event, message) => {
    expect(() => parseRotationEvent(event)).toThrow(InvalidEventError);
    expect(() => parseRotationEvent(event)).toThrow(message);
  });
});
