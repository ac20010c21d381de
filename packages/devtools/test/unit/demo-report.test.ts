import { formatRotation, type RotationReport } from '../../src/demo/demo-report';
import { terminalStyle, wantsColor } from '../../src/demo/terminal-style';

const report: RotationReport = {
  title: 'single user',
  strategy: 'single-user',
  handler: 'single-user.handler',
  secretName: 'rotor-demo/app',
  versionId: 'bbbbbbbb-0000-4000-8000-000000000002',
  before: [{ versionId: 'aaaaaaaa-0000-4000-8000-000000000001', stages: ['AWSCURRENT'] }],
  after: [
    { versionId: 'aaaaaaaa-0000-4000-8000-000000000001', stages: ['AWSPREVIOUS'] },
    { versionId: 'bbbbbbbb-0000-4000-8000-000000000002', stages: ['AWSCURRENT'] },
  ],
  userBefore: 'app_user',
  userAfter: 'app_user',
  steps: [
    { step: 'createSecret', durationMs: 35, secretsManagerCalls: 4, ok: true },
    { step: 'setSecret', durationMs: 1465, secretsManagerCalls: 3, ok: false },
  ],
  wallMs: 1700,
  coldStart: true,
  checks: [
    { label: 'rotation finished', held: false },
    { label: 'old password refused', held: true, detail: 'SQLSTATE 28P01' },
  ],
  failure: 'setSecret: LoginFailedError: cannot log in as app_user',
};

describe('formatRotation', () => {
  it('prints aligned lines: stages (current first, short ids), user, checks, steps and totals', () => {
    expect(formatRotation(1, report, terminalStyle(false))).toBe(
      [
        '1. single user  rotor-demo/app with single-user.handler',
        '   stages before  aaaaaaaa AWSCURRENT',
        '   stages after   bbbbbbbb AWSCURRENT   aaaaaaaa AWSPREVIOUS',
        '   current user   app_user  (same user, new password)',
        '   ✗ rotation finished',
        '   ✓ old password refused  (SQLSTATE 28P01)',
        '   error          setSecret: LoginFailedError: cannot log in as app_user',
        '   steps          createSecret 35 ms · setSecret 1.47 s failed',
        '   total          1.50 s in the handler, 1.70 s for RotateSecret (with the cold start), 7 Secrets Manager calls',
        '',
      ].join('\n'),
    );
  });

  it('colours marks only when asked', () => {
    const coloured = formatRotation(1, report, terminalStyle(true));
    expect(coloured).toContain('\u001b[32m✓\u001b[39m');
    expect(coloured).toContain('\u001b[31m✗\u001b[39m');
  });
});

describe('wantsColor', () => {
  it('is on for a terminal unless NO_COLOR is set to something', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
  });
});
