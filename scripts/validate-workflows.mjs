// Validates GitHub Actions workflow files offline with GitHub's own parser (@actions/workflow-parser),
// so that a broken workflow fails here rather than after a push.
//   node scripts/validate-workflows.mjs [FILE...]   (default: .github/workflows/*.yml)
// Prints one line per problem and exits 1 when there is any.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'packages', 'cli');
const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await loadParser();

// The parser's ES modules import its JSON schema without an import attribute, which Node refuses:
// esbuild (a dependency of the CLI already) bundles it into one CommonJS module that Node loads.
async function loadParser() {
  const esbuild = createRequire(join(cli, 'package.json'))('esbuild');
  const entry = join(cli, 'node_modules', '@actions', 'workflow-parser', 'dist', 'index.js');
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), 'rotor-workflow-parser-'));
  try {
    const file = join(dir, 'parser.cjs');
    writeFileSync(file, out.outputFiles[0].contents);
    return createRequire(file)(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const dir = join(root, '.github', 'workflows');
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f));

let problems = 0;
for (const file of files) {
  const name = basename(file);
  const parsed = parseWorkflow({ name, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = [...parsed.context.errors.getErrors()];
  if (parsed.value !== undefined && errors.length === 0) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => ({ message: e.Message ?? String(e) })));
    if (template.jobs.length === 0) errors.push({ message: 'no jobs' });
  }
  for (const e of errors) console.log(`${name}: ${e.message ?? e.Message ?? String(e)}`);
  problems += errors.length;
  if (errors.length === 0) console.log(`${name}: valid`);
}
process.exit(problems > 0 ? 1 : 0);
