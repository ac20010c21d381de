#!/usr/bin/env node
// Writes test/fixtures/cfn-spec.json: the properties (name, type, required) and attributes of the
// resource types the deploy templates use, taken from the CloudFormation and SAM resource
// specification in @aws-cdk/aws-service-spec (db.json.gz). The template test validates against it.
//
//   node scripts/trim-cfn-spec.mjs [path/to/db.json.gz]
//
// Without an argument, db.json.gz is taken from an installed @aws-cdk/aws-service-spec.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const RESOURCE_TYPES = [
  'AWS::IAM::Role',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::RotationSchedule',
  'AWS::Serverless::Function',
];

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const source =
  process.argv[2] ?? join(dirname(require.resolve('@aws-cdk/aws-service-spec/package.json')), 'db.json.gz');
const db = JSON.parse(gunzipSync(readFileSync(source)).toString('utf8'));
const version = JSON.parse(readFileSync(join(dirname(source), 'package.json'), 'utf8')).version;

const typeById = new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t]));

function simplify(type, owner, types) {
  switch (type.type) {
    case 'ref': {
      const def = typeById.get(type.reference.$ref);
      const key = `${owner}.${def.name}`;
      if (!(key in types)) {
        types[key] = {}; // placeholder first: types may refer to themselves
        types[key] = properties(def.properties ?? {}, owner, types);
      }
      return { ref: key };
    }
    case 'array':
      return { array: simplify(type.element, owner, types) };
    case 'map':
      return { map: simplify(type.element, owner, types) };
    case 'union':
      return { union: type.types.map((t) => simplify(t, owner, types)) };
    case 'tag':
      return 'tag';
    default:
      return type.type; // string, integer, number, boolean, json, date-time
  }
}

function properties(props, owner, types) {
  const out = {};
  for (const name of Object.keys(props).sort()) {
    out[name] = {
      type: simplify(props[name].type, owner, types),
      ...(props[name].required ? { required: true } : {}),
    };
  }
  return out;
}

const resources = {};
const types = {};
for (const cfnType of RESOURCE_TYPES) {
  const resource = db.schema.resource.entities.find((r) => r.cloudFormationType === cfnType);
  if (resource === undefined) throw new Error(`${cfnType} is not in ${source}`);
  resources[cfnType] = {
    properties: properties(resource.properties, cfnType, types),
    attributes: Object.keys(resource.attributes ?? {}).sort(),
  };
}
const sortedTypes = Object.fromEntries(
  Object.keys(types)
    .sort()
    .map((k) => [k, types[k]]),
);
const out = join(here, '..', 'test', 'fixtures', 'cfn-spec.json');
const spec = { source: `@aws-cdk/aws-service-spec@${version} (db.json.gz)`, resources, types: sortedTypes };
writeFileSync(out, `${JSON.stringify(spec, null, 2)}\n`);
console.log(`${out}: ${RESOURCE_TYPES.length} resource types, ${Object.keys(types).length} property types`);
