import type { RotationStep, StrategyName } from '@rotor/rotation-core';
import type { AppUser, ConformanceHarness } from './conformance-harness';

/** One row of the bad-input table: how to get there, and the typed error it must end in. */
export interface BadInputCase {
  readonly name: string;
  readonly strategy: StrategyName;
  /** The step invoked by hand (default createSecret), unless `setup` returns its own `invoke`. */
  readonly step?: RotationStep;
  readonly error: string;
  readonly message: RegExp;
  setup(h: ConformanceHarness, user: AppUser): Promise<BadInputSetup>;
}

export interface BadInputSetup {
  /** The secret whose versions and values must be the same after the failure. */
  readonly arn?: string;
  readonly token?: string;
  readonly invoke?: () => Promise<void>;
}

const TOKEN = '11111111-2222-4333-8444-555555555555';
const MISSING_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rotor/does-not-exist-AbCdEf';

/** A rotation in progress (empty AWSPENDING) for a secret holding `value`. */
async function inProgress(h: ConformanceHarness, value: unknown): Promise<BadInputSetup> {
  const arn = await h.createSecret('bad', value);
  return { arn, token: await h.beginRotation(arn) };
}

/** Same, with createSecret already done, so the row can fail in setSecret. */
async function pendingCreated(
  h: ConformanceHarness,
  strategy: StrategyName,
  value: unknown,
): Promise<BadInputSetup> {
  const setup = await inProgress(h, value);
  await h.step(strategy, setup.arn as string, setup.token as string, 'createSecret');
  return setup;
}

const event = (h: ConformanceHarness, e: unknown): BadInputSetup => ({
  invoke: () => h.handler('single-user')(e),
});

/** Secret JSON for the row's user with some keys replaced (undefined removes a key). */
function secretWith(
  h: ConformanceHarness,
  user: AppUser,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const value: Record<string, unknown> = { ...h.secretFor(user), ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete value[k];
  return value;
}

export const badInputCases: readonly BadInputCase[] = [
  // The event
  {
    name: 'event is not an object',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /must be a JSON object/,
    setup: async (h) => event(h, 'createSecret'),
  },
  {
    name: 'event is null',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /must be a JSON object/,
    setup: async (h) => event(h, null),
  },
  {
    name: 'SecretId missing',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /SecretId must be a non-empty string, not missing/,
    setup: async (h) => event(h, { Step: 'createSecret', ClientRequestToken: TOKEN }),
  },
  {
    name: 'SecretId is a number',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /SecretId .*not a number/,
    setup: async (h) => event(h, { Step: 'createSecret', SecretId: 42, ClientRequestToken: TOKEN }),
  },
  {
    name: 'ClientRequestToken missing',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /ClientRequestToken must be a string/,
    setup: async (h) => event(h, { Step: 'createSecret', SecretId: MISSING_ARN }),
  },
  {
    name: 'ClientRequestToken too short',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /32 to 64 characters/,
    setup: async (h) =>
      event(h, { Step: 'createSecret', SecretId: MISSING_ARN, ClientRequestToken: 'short' }),
  },
  {
    name: 'unknown Step',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /Step must be one of .*"rotateSecret"/,
    setup: async (h) => event(h, { Step: 'rotateSecret', SecretId: MISSING_ARN, ClientRequestToken: TOKEN }),
  },
  {
    name: 'Step is a number',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /Step must be one of .*not a number/,
    setup: async (h) => event(h, { Step: 1, SecretId: MISSING_ARN, ClientRequestToken: TOKEN }),
  },
  {
    name: 'RotationToken malformed',
    strategy: 'single-user',
    error: 'InvalidEventError',
    message: /RotationToken/,
    setup: async (h) =>
      event(h, {
        Step: 'createSecret',
        SecretId: MISSING_ARN,
        ClientRequestToken: TOKEN,
        RotationToken: 'not a token',
      }),
  },

  // The secret's state
  {
    name: 'secret does not exist',
    strategy: 'single-user',
    error: 'SecretsManagerError',
    message: /DescribeSecret failed: ResourceNotFoundException/,
    setup: async (h) => event(h, { Step: 'createSecret', SecretId: MISSING_ARN, ClientRequestToken: TOKEN }),
  },
  {
    name: 'secret not enabled for rotation',
    strategy: 'single-user',
    error: 'SecretStateError',
    message: /not enabled for rotation/,
    setup: async (h, user) => {
      const arn = await h.createSecret('bad', h.secretFor(user));
      const token = Object.keys(await h.stages(arn))[0] as string;
      return { arn, token };
    },
  },
  {
    name: 'token is not a version of the secret',
    strategy: 'single-user',
    error: 'SecretStateError',
    message: /version has no stage/,
    setup: async (h, user) => ({ ...(await inProgress(h, h.secretFor(user))), token: TOKEN }),
  },
  {
    name: 'token is AWSPREVIOUS, not AWSPENDING',
    strategy: 'single-user',
    step: 'setSecret',
    error: 'SecretStateError',
    message: /not set as AWSPENDING/,
    setup: async (h, user) => {
      const arn = await h.createSecret('bad', h.secretFor(user));
      const first = Object.keys(await h.stages(arn))[0] as string;
      await h.putVersion(arn, TOKEN, h.secretFor(user), ['AWSCURRENT']); // the first version becomes AWSPREVIOUS
      await h.beginRotation(arn);
      return { arn, token: first };
    },
  },

  // The secret JSON
  {
    name: 'SecretString is not JSON',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /AWSCURRENT secret value: SecretString is not valid JSON/,
    setup: (h) => inProgress(h, '{"host": "db", "password": '),
  },
  {
    name: 'SecretString is a JSON array',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /must be a JSON object/,
    setup: (h) => inProgress(h, '["a"]'),
  },
  {
    name: 'host missing',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "host" is missing/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { host: undefined })),
  },
  {
    name: 'username missing',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "username" is missing/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { username: undefined })),
  },
  {
    name: 'password missing',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "password" is missing/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { password: undefined })),
  },
  {
    name: 'password is a number',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "password" must be a string, not a number/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { password: 12345678 })),
  },
  {
    name: 'username is an object',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "username" must be a string, not a object/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { username: { name: u.username } })),
  },
  {
    name: 'port not numeric',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "port" must be a port number .*not a string that is not a whole number/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { port: 'abc' })),
  },
  {
    name: 'port out of range',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "port" must be a port number .*not a number out of range/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { port: 70000 })),
  },
  {
    name: 'dbname is a number',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "dbname" must be a string/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { dbname: 5 })),
  },
  {
    name: 'engine missing (single-user)',
    strategy: 'single-user',
    error: 'SecretFormatError',
    message: /key "engine" is missing/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { engine: undefined })),
  },
  {
    name: 'unsupported engine',
    strategy: 'single-user',
    error: 'UnsupportedEngineError',
    message: /key "engine" names an engine this function does not rotate/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { engine: 'oracle' })),
  },
  {
    name: 'engine of another database family',
    strategy: 'single-user',
    error: 'UnsupportedEngineError',
    message: /key "engine" names an engine this function does not rotate/,
    // Another family's name: SQL Server's own engine accepts sqlserver-ee.
    setup: (h, u) =>
      inProgress(
        h,
        secretWith(h, u, {
          engine: h.adapter.engine.engineNames.includes('sqlserver-ee') ? 'aurora-mysql' : 'sqlserver-ee',
        }),
      ),
  },

  // Safety checks and hostile names, in setSecret
  {
    name: "hostile username that is not a user (x'; DROP TABLE ...)",
    strategy: 'single-user',
    step: 'setSecret',
    error: 'LoginFailedError',
    message: /unable to log into database with previous, current, or pending secret/,
    setup: (h, u) =>
      pendingCreated(h, 'single-user', secretWith(h, u, { username: `x'; DROP TABLE ${u.table}; --` })),
  },
  {
    name: 'AWSPENDING is for another user',
    strategy: 'single-user',
    step: 'setSecret',
    error: 'UnsafeRotationError',
    message: /AWSPENDING is for user .* but AWSCURRENT is for user/,
    setup: async (h, u) => {
      const setup = await inProgress(h, h.secretFor(u));
      await h.putVersion(
        setup.arn as string,
        setup.token as string,
        secretWith(h, u, { username: `${u.username}x`, password: h.newPassword() }),
      );
      return setup;
    },
  },
  {
    name: 'AWSPENDING is for another host',
    strategy: 'single-user',
    step: 'setSecret',
    error: 'UnsafeRotationError',
    message: /AWSPENDING is for db\.elsewhere\.invalid:\d+ but AWSCURRENT is for/,
    setup: async (h, u) => {
      const setup = await inProgress(h, h.secretFor(u));
      await h.putVersion(
        setup.arn as string,
        setup.token as string,
        secretWith(h, u, { host: 'db.elsewhere.invalid', password: h.newPassword() }),
      );
      return setup;
    },
  },

  // Alternating users: the superuser secret
  {
    name: 'masterarn missing (alternating)',
    strategy: 'alternating-users',
    error: 'SecretFormatError',
    message: /key "masterarn" is missing/,
    setup: (h, u) => inProgress(h, h.secretFor(u)),
  },
  {
    name: 'masterarn is not an ARN',
    strategy: 'alternating-users',
    error: 'SecretFormatError',
    message: /"masterarn" must be the ARN/,
    setup: (h, u) => inProgress(h, secretWith(h, u, { masterarn: 'my-superuser' })),
  },
  {
    name: 'superuser secret does not exist',
    strategy: 'alternating-users',
    step: 'setSecret',
    error: 'SecretStateError',
    message: /superuser secret .* was not found/,
    setup: (h, u) => pendingCreated(h, 'alternating-users', secretWith(h, u, { masterarn: MISSING_ARN })),
  },
  {
    name: 'superuser secret is not JSON',
    strategy: 'alternating-users',
    step: 'setSecret',
    error: 'SecretFormatError',
    message: /superuser secret .*not valid JSON/,
    setup: async (h, u) =>
      pendingCreated(
        h,
        'alternating-users',
        secretWith(h, u, { masterarn: await h.createSecret('super', 'not json') }),
      ),
  },
  {
    name: 'superuser password is wrong',
    strategy: 'alternating-users',
    step: 'setSecret',
    error: 'LoginFailedError',
    message: /unable to log in with the superuser credentials .*authentication failure/,
    setup: async (h, u) =>
      pendingCreated(
        h,
        'alternating-users',
        secretWith(h, u, { masterarn: await h.superuserSecret({ password: h.newPassword() }) }),
      ),
  },
  {
    name: 'AWSPENDING user is not the alternate of AWSCURRENT',
    strategy: 'alternating-users',
    step: 'setSecret',
    error: 'UnsafeRotationError',
    message: /but the alternate of AWSCURRENT user/,
    setup: async (h, u) => {
      const masterarn = await h.superuserSecret();
      const setup = await inProgress(h, secretWith(h, u, { masterarn }));
      await h.putVersion(
        setup.arn as string,
        setup.token as string,
        secretWith(h, u, { username: 'someone_else', password: h.newPassword(), masterarn }),
      );
      return setup;
    },
  },
  {
    name: 'alternate username longer than the engine allows',
    strategy: 'alternating-users',
    error: 'SecretFormatError',
    message: /alternate username .* (characters|bytes) long/,
    setup: async (h, u) => {
      const long = `${u.username}${'x'.repeat(Math.max(0, h.adapter.maxUsernameLength - u.username.length - 5))}`;
      return inProgress(h, secretWith(h, u, { username: long, masterarn: await h.superuserSecret() }));
    },
  },
];
