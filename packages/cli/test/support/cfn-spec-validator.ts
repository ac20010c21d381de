// Checks a CloudFormation template's resources against the trimmed resource specification in
// test/fixtures/cfn-spec.json (see scripts/trim-cfn-spec.mjs): known resource types, no unknown
// property, every required property present, literal values of the right type, and every Ref,
// Fn::GetAtt, Fn::Sub variable and Fn::If condition pointing at something that exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type SpecType =
  | string
  | { readonly ref: string }
  | { readonly array: SpecType }
  | { readonly map: SpecType }
  | { readonly union: readonly SpecType[] };

interface SpecProperty {
  readonly type: SpecType;
  readonly required?: boolean;
}
type SpecProperties = Readonly<Record<string, SpecProperty>>;

interface Spec {
  readonly source: string;
  readonly resources: Readonly<Record<string, { properties: SpecProperties; attributes: readonly string[] }>>;
  readonly types: Readonly<Record<string, SpecProperties>>;
}

export const CFN_SPEC = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'cfn-spec.json'), 'utf8'),
) as Spec;

// SAM creates an AWS::Lambda::Function from each AWS::Serverless::Function and passes these
// properties through; the SAM specification in aws-service-spec predates them (SAM documents
// LoggingConfig since v1.82), so they are checked against AWS::Lambda::Function instead. The same
// holds for Fn::GetAtt attributes (the SAM resource has none of its own).
const SAM_PASSTHROUGH: Readonly<Record<string, string>> = { LoggingConfig: 'AWS::Lambda::Function' };
const SAM_ATTRIBUTES_FROM: Readonly<Record<string, string>> = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
};

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
  'AWS::NotificationARNs',
]);

type Json = unknown;
type Obj = Record<string, Json>;
const isObject = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const intrinsicName = (v: Json): string | undefined => {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')) ? keys[0] : undefined;
};

export function validateTemplate(template: Obj): string[] {
  const problems: string[] = [];
  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const names = new Set([...Object.keys(parameters), ...Object.keys(resources), ...PSEUDO_PARAMETERS]);

  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      problems.push(`${id}: not a resource`);
      continue;
    }
    const spec = CFN_SPEC.resources[resource.Type];
    if (spec === undefined) {
      problems.push(`${id}: resource type ${resource.Type} is not in the specification fixture`);
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (
        ![
          'Type',
          'Properties',
          'Condition',
          'DependsOn',
          'DeletionPolicy',
          'UpdateReplacePolicy',
          'Metadata',
        ].includes(key)
      ) {
        problems.push(`${id}: unknown resource attribute ${key}`);
      }
    }
    if (resource.Condition !== undefined && !(String(resource.Condition) in conditions)) {
      problems.push(`${id}: Condition ${String(resource.Condition)} is not defined`);
    }
    for (const dep of [resource.DependsOn ?? []].flat()) {
      if (!(String(dep) in resources)) problems.push(`${id}: DependsOn ${String(dep)} is not a resource`);
    }
    const props = isObject(resource.Properties) ? resource.Properties : {};
    problems.push(...checkProperties(props, spec.properties, `${id}.Properties`, resource.Type));
  }

  walkIntrinsics(template, '', (path, fn, arg) => {
    if (fn === 'Ref' && !names.has(String(arg))) problems.push(`${path}: Ref ${String(arg)} is not defined`);
    if (fn === 'Fn::If' && Array.isArray(arg) && !(String(arg[0]) in conditions)) {
      problems.push(`${path}: condition ${String(arg[0])} is not defined`);
    }
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) {
      const [target, attribute] = arg.map(String);
      const type = isObject(resources[target!]) ? String((resources[target!] as Obj).Type) : undefined;
      const attributesOf = type === undefined ? undefined : (SAM_ATTRIBUTES_FROM[type] ?? type);
      const attributes =
        attributesOf === undefined ? undefined : CFN_SPEC.resources[attributesOf]?.attributes;
      if (attributes === undefined || !attributes.includes(attribute!)) {
        problems.push(`${path}: Fn::GetAtt ${target}.${attribute} does not exist`);
      }
    }
    if (fn === 'Fn::Sub' && typeof arg === 'string') {
      for (const m of arg.matchAll(/\$\{([^}!]+)\}/g)) {
        const name = m[1]!.split('.')[0]!;
        if (!names.has(name)) problems.push(`${path}: Fn::Sub variable ${m[1]} is not defined`);
      }
    }
  });
  return problems;
}

function checkProperties(value: Obj, spec: SpecProperties, path: string, resourceType?: string): string[] {
  const problems: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    let prop = spec[name];
    const passthrough = resourceType === 'AWS::Serverless::Function' ? SAM_PASSTHROUGH[name] : undefined;
    if (prop === undefined && passthrough !== undefined)
      prop = CFN_SPEC.resources[passthrough]?.properties[name];
    if (prop === undefined) problems.push(`${path}.${name}: unknown property`);
    else problems.push(...checkValue(v, prop.type, `${path}.${name}`));
  }
  for (const [name, prop] of Object.entries(spec)) {
    if (prop.required && !(name in value)) problems.push(`${path}.${name}: required property missing`);
  }
  return problems;
}

function checkValue(v: Json, type: SpecType, path: string): string[] {
  const fn = intrinsicName(v);
  if (fn === 'Fn::If') {
    const args = (v as Obj)[fn];
    if (!Array.isArray(args) || args.length !== 3) return [`${path}: Fn::If needs [condition, then, else]`];
    return [...checkValue(args[1], type, `${path}[then]`), ...checkValue(args[2], type, `${path}[else]`)];
  }
  // Other intrinsics produce their value at deploy time; their arguments are checked by walkIntrinsics.
  if (fn !== undefined) return [];

  if (typeof type === 'string') {
    const ok =
      type === 'json'
        ? isObject(v) || Array.isArray(v)
        : type === 'string' || type === 'date-time'
          ? typeof v === 'string'
          : type === 'integer' || type === 'number'
            ? typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))
            : type === 'boolean'
              ? typeof v === 'boolean' || v === 'true' || v === 'false'
              : type === 'tag'
                ? isObject(v) && 'Key' in v && 'Value' in v
                : false;
    return ok ? [] : [`${path}: expected ${type}, got ${JSON.stringify(v)}`];
  }
  if ('ref' in type) {
    const props = CFN_SPEC.types[type.ref];
    if (props === undefined) return [`${path}: type ${type.ref} missing from the fixture`];
    return isObject(v) ? checkProperties(v, props, path) : [`${path}: expected an object (${type.ref})`];
  }
  if ('array' in type) {
    return Array.isArray(v)
      ? v.flatMap((e, i) => checkValue(e, type.array, `${path}[${i}]`))
      : [`${path}: expected a list`];
  }
  if ('map' in type) {
    return isObject(v)
      ? Object.entries(v).flatMap(([k, e]) => checkValue(e, type.map, `${path}.${k}`))
      : [`${path}: expected a map`];
  }
  const attempts = type.union.map((t) => checkValue(v, t, path));
  return attempts.some((a) => a.length === 0) ? [] : attempts.flat();
}

/** Calls `visit` for every intrinsic function anywhere in `value`. */
export function walkIntrinsics(
  value: Json,
  path: string,
  visit: (path: string, fn: string, arg: Json) => void,
): void {
  if (Array.isArray(value)) {
    for (const [i, e] of value.entries()) walkIntrinsics(e, `${path}[${i}]`, visit);
  } else if (isObject(value)) {
    const fn = intrinsicName(value);
    if (fn !== undefined) visit(path, fn, value[fn]);
    for (const [k, e] of Object.entries(value)) walkIntrinsics(e, path ? `${path}.${k}` : k, visit);
  }
}
