import { serializationError, validationError } from './errors';
import { FILTER_KEYS, type FilterKey, type SecretFilter } from './list-filters';
import type { RotationRules, Tag } from './secret-model';

export type JsonObject = Record<string, unknown>;

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  oneOf?: readonly string[];
  /** Secret values are never echoed back in error messages. */
  sensitive?: boolean;
}

interface NumberRule {
  required?: boolean;
  min?: number;
  max?: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads a request body member by member against the service model. A member of the wrong JSON
 * type is a `SerializationException` at once (the service cannot even parse it); constraint
 * violations are collected and reported together as one `ValidationException`, like AWS does.
 */
export class InputReader {
  private readonly problems: string[] = [];

  constructor(private readonly body: JsonObject) {}

  string(member: string, rule: StringRule = {}): string | undefined {
    return this.checkString(this.body[member], lowerCamel(member), member, rule);
  }

  integer(member: string, rule: NumberRule = {}): number | undefined {
    const value = this.body[member];
    const path = lowerCamel(member);
    if (value === undefined || value === null) return this.missing(path, rule.required);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw serializationError(`Member ${member} must be an integer.`);
    }
    if (rule.min !== undefined && value < rule.min) {
      this.problem(path, value, `Member must have value greater than or equal to ${rule.min}`);
    } else if (rule.max !== undefined && value > rule.max) {
      this.problem(path, value, `Member must have value less than or equal to ${rule.max}`);
    }
    return value;
  }

  boolean(member: string): boolean | undefined {
    const value = this.body[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw serializationError(`Member ${member} must be a boolean.`);
    return value;
  }

  /** A base64 blob; the length limits apply to the decoded bytes. */
  blob(member: string, rule: { min: number; max: number }): string | undefined {
    const value = this.body[member];
    const path = lowerCamel(member);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !BASE64.test(value)) {
      throw serializationError(`Member ${member} must be a base64-encoded string.`);
    }
    const bytes = Buffer.byteLength(value, 'base64');
    if (bytes < rule.min)
      this.problem(path, undefined, `Member must have length greater than or equal to ${rule.min}`);
    if (bytes > rule.max)
      this.problem(path, undefined, `Member must have length less than or equal to ${rule.max}`);
    return value;
  }

  stringList(
    member: string,
    rule: { required?: boolean; minItems?: number; maxItems?: number; item: StringRule },
  ): string[] | undefined {
    const list = this.list(member, rule);
    return list?.map(
      (item, i) =>
        this.checkString(item, `${lowerCamel(member)}.${i + 1}.member`, member, {
          ...rule.item,
          required: true,
        }) ?? '',
    );
  }

  tags(member: string, rule: { required?: boolean } = {}): Tag[] | undefined {
    const list = this.list(member, { ...rule, maxItems: 50 });
    return list?.map((item, i) => {
      const tag = this.object(item, member);
      const path = `${lowerCamel(member)}.${i + 1}.member`;
      return {
        Key: this.checkString(tag.Key, `${path}.key`, 'Key', { required: true, min: 1, max: 128 }) ?? '',
        Value:
          this.checkString(tag.Value, `${path}.value`, 'Value', { required: true, min: 0, max: 256 }) ?? '',
      };
    });
  }

  filters(member: string): SecretFilter[] | undefined {
    const list = this.list(member, { maxItems: 10 });
    return list?.map((item, i) => {
      const filter = this.object(item, member);
      const path = `${lowerCamel(member)}.${i + 1}.member`;
      const key = this.checkString(filter.Key, `${path}.key`, 'Key', { required: true, oneOf: FILTER_KEYS });
      const values = filter.Values;
      if (values !== undefined && values !== null && !Array.isArray(values)) {
        throw serializationError('Member Values must be a list.');
      }
      const checked = (values ?? []).map(
        (v, j) => this.checkString(v, `${path}.values.${j + 1}.member`, 'Values', { min: 1, max: 512 }) ?? '',
      );
      if (checked.length === 0)
        this.problem(`${path}.values`, undefined, 'Member must have length greater than or equal to 1');
      return { Key: key as FilterKey, Values: checked };
    });
  }

  rotationRules(member: string): RotationRules | undefined {
    const raw = this.body[member];
    if (raw === undefined || raw === null) return undefined;
    const rules = this.object(raw, member);
    const reader = new InputReader(rules);
    const result: RotationRules = {
      AutomaticallyAfterDays: reader.integer('AutomaticallyAfterDays', { min: 1, max: 1000 }),
      ScheduleExpression: reader.string('ScheduleExpression', { min: 1, max: 256 }),
      Duration: reader.string('Duration', { min: 2, max: 3, pattern: /^[0-9]+h$/ }),
    };
    for (const problem of reader.problems)
      this.problems.push(problem.replace("at '", `at '${lowerCamel(member)}.`));
    return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));
  }

  /** Throws the collected constraint violations, if any. */
  done(): void {
    if (this.problems.length === 0) return;
    const count = this.problems.length;
    throw validationError(
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`,
    );
  }

  private checkString(value: unknown, path: string, member: string, rule: StringRule): string | undefined {
    if (value === undefined || value === null) return this.missing(path, rule.required);
    if (typeof value !== 'string') throw serializationError(`Member ${member} must be a string.`);
    const shown = rule.sensitive ? undefined : value;
    if (rule.min !== undefined && value.length < rule.min) {
      this.problem(path, shown, `Member must have length greater than or equal to ${rule.min}`);
    } else if (rule.max !== undefined && value.length > rule.max) {
      this.problem(path, shown, `Member must have length less than or equal to ${rule.max}`);
    } else if (rule.pattern && !rule.pattern.test(value)) {
      this.problem(path, shown, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    } else if (rule.oneOf && !rule.oneOf.includes(value)) {
      this.problem(path, shown, `Member must satisfy enum value set: [${rule.oneOf.join(', ')}]`);
    }
    return value;
  }

  private list(
    member: string,
    rule: { required?: boolean; minItems?: number; maxItems?: number },
  ): unknown[] | undefined {
    const value = this.body[member];
    const path = lowerCamel(member);
    if (value === undefined || value === null) return this.missing(path, rule.required);
    if (!Array.isArray(value)) throw serializationError(`Member ${member} must be a list.`);
    if (rule.minItems !== undefined && value.length < rule.minItems) {
      this.problem(path, undefined, `Member must have length greater than or equal to ${rule.minItems}`);
    } else if (rule.maxItems !== undefined && value.length > rule.maxItems) {
      this.problem(path, undefined, `Member must have length less than or equal to ${rule.maxItems}`);
    }
    return value;
  }

  private object(value: unknown, member: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw serializationError(`Member ${member} must contain structures.`);
    }
    return value as JsonObject;
  }

  private missing(path: string, required: boolean | undefined): undefined {
    if (required)
      this.problems.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }

  private problem(path: string, value: unknown, constraint: string): void {
    const shown = value === undefined ? 'Value' : `Value '${String(value)}'`;
    this.problems.push(`${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }
}

/** AWS names members in validation messages in lower camel case (`secretId`). */
function lowerCamel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
