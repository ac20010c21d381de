import type { EngineModule } from '@rotor/rotation-core';

/** One environment variable of the function, exposed as a template parameter. */
export interface EnvironmentParameter {
  readonly parameter: string;
  readonly variable: string;
  readonly type: 'String' | 'Number';
  readonly default: string;
  readonly description: string;
  readonly allowedValues?: readonly string[];
  readonly minValue?: number;
  readonly maxValue?: number;
  /** A blank value leaves the variable unset (the function's own default applies). */
  readonly optional?: boolean;
}

const BOOLEAN = ['true', 'false'];

const PASSWORD_SETTINGS: readonly Omit<EnvironmentParameter, 'default'>[] = [
  {
    parameter: 'PasswordLength',
    variable: 'PASSWORD_LENGTH',
    type: 'Number',
    minValue: 8,
    maxValue: 4096,
    description: 'Length of generated passwords.',
  },
  {
    parameter: 'ExcludeCharacters',
    variable: 'EXCLUDE_CHARACTERS',
    type: 'String',
    description: 'Characters never used in generated passwords.',
  },
  {
    parameter: 'ExcludeNumbers',
    variable: 'EXCLUDE_NUMBERS',
    type: 'String',
    allowedValues: BOOLEAN,
    description: 'Generate passwords without digits.',
  },
  {
    parameter: 'ExcludePunctuation',
    variable: 'EXCLUDE_PUNCTUATION',
    type: 'String',
    allowedValues: BOOLEAN,
    description: 'Generate passwords without punctuation.',
  },
  {
    parameter: 'ExcludeUppercase',
    variable: 'EXCLUDE_UPPERCASE',
    type: 'String',
    allowedValues: BOOLEAN,
    description: 'Generate passwords without upper-case letters.',
  },
  {
    parameter: 'ExcludeLowercase',
    variable: 'EXCLUDE_LOWERCASE',
    type: 'String',
    allowedValues: BOOLEAN,
    description: 'Generate passwords without lower-case letters.',
  },
  {
    parameter: 'RequireEachIncludedType',
    variable: 'REQUIRE_EACH_INCLUDED_TYPE',
    type: 'String',
    allowedValues: BOOLEAN,
    description: 'Every generated password holds at least one character of each included type.',
  },
];

function passwordDefaults(module: EngineModule): Record<string, string> {
  return {
    PasswordLength: '32',
    ExcludeCharacters: module.engine.defaultExcludeCharacters,
    ExcludeNumbers: 'false',
    ExcludePunctuation: 'false',
    ExcludeUppercase: 'false',
    ExcludeLowercase: 'false',
    RequireEachIncludedType: 'true',
  };
}

/**
 * The function's environment variables for an engine, each a parameter: the AWS templates'
 * password settings (with the engine's defaults), the engine's own settings, Rotor's TLS
 * fallback and extra CAs, its connection timeout and its log level.
 */
export function environmentParameters(module: EngineModule): EnvironmentParameter[] {
  return [
    ...PASSWORD_SETTINGS.map((p) => ({ ...p, default: passwordDefaults(module)[p.parameter] ?? '' })),
    ...module.engine.settings.map(
      (e): EnvironmentParameter => ({
        parameter: e.parameter,
        variable: e.variable,
        type: 'Number',
        default: String(e.default),
        minValue: e.min,
        maxValue: e.max,
        description: e.description,
      }),
    ),
    {
      parameter: 'TlsFallback',
      variable: 'ROTOR_TLS_FALLBACK',
      type: 'String',
      default: 'allow',
      allowedValues: ['allow', 'deny'],
      description:
        'For secrets without an "ssl" key: allow retries a failed TLS connection in plaintext (with a warning), as the AWS templates do; deny forbids it.',
    },
    {
      parameter: 'CaBundle',
      variable: 'ROTOR_CA_BUNDLE',
      type: 'String',
      default: '',
      optional: true,
      description:
        'Path, inside the function, of a PEM file of CA certificates to trust besides the Amazon RDS CAs (e.g. /opt/certs/ca.pem from a Lambda layer); blank for none.',
    },
    {
      parameter: 'ConnectTimeoutMs',
      variable: 'ROTOR_CONNECT_TIMEOUT_MS',
      type: 'Number',
      default: '5000',
      minValue: 100,
      maxValue: 600_000,
      description: 'Milliseconds to set up a connection (TCP and TLS) to the database or Secrets Manager.',
    },
    {
      parameter: 'LogLevel',
      variable: 'ROTOR_LOG_LEVEL',
      type: 'String',
      default: 'info',
      allowedValues: ['debug', 'info', 'warn', 'error'],
      description: 'Least severe log lines the function writes; never secrets at any level.',
    },
  ];
}
