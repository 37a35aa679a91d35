import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every TypeScript example in the README and docs/ type-checks as written, against the built
 * package as a user imports it ('probekit', 'probekit/conformance', 'probekit/vitest' resolve to
 * dist/*.d.ts through the exports map; globalSetup builds dist/). Each fenced ```ts block becomes
 * one module (an `export {}` is appended so blocks do not share a scope), and one tsc run checks
 * them all with the project's strict settings.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

interface Example {
  doc: string; // path relative to the root
  line: number; // line of the opening fence
  file: string; // the module it was written to
}

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? docs(join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [join(dir, entry.name)]
          : [],
    );
  return ['README.md', ...docs('docs')];
}

/** The ```ts / ```typescript blocks of one Markdown file, with the line of each opening fence. */
function tsBlocks(text: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    blocks.push({ line: start + 1, code: body.join('\n') });
  }
  return blocks;
}

let work: string;
const examples: Example[] = [];
const errors = new Map<string, string[]>(); // doc -> "line N: message"

beforeAll(() => {
  // Inside the package (so 'probekit' resolves to itself) but outside every tsconfig's include.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  work = mkdtempSync(join(cache, 'docs-examples-'));
  for (const doc of markdownFiles()) {
    for (const { line, code } of tsBlocks(readFileSync(join(root, doc), 'utf8'))) {
      const file = join(work, `${doc.replace(/[^\w]+/g, '_')}_${line}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      examples.push({ doc, line, file });
    }
  }
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(work, join(root, 'tsconfig.json')),
      compilerOptions: { noEmit: true, noUnusedLocals: false },
      include: [],
      files: examples.map((example) => relative(work, example.file)),
    }),
  );
  let output = '';
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work], {
      cwd: work,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 120_000,
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  for (const message of output.split('\n').filter((line) => /error TS\d+/.test(line))) {
    const example = examples.find((candidate) => message.includes(relative(work, candidate.file)));
    const where = example === undefined ? '' : `example at line ${example.line}: `;
    const doc = example?.doc ?? '(unknown)';
    errors.set(doc, [
      ...(errors.get(doc) ?? []),
      where + message.replace(/^[^(]*\((\d+),\d+\)/, 'block line $1'),
    ]);
  }
}, 180_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the TypeScript examples in the README and docs/', () => {
  it('finds the examples to check (the README alone has one per part)', () => {
    expect(examples.filter((example) => example.doc === 'README.md').length).toBeGreaterThanOrEqual(5);
    expect(examples.some((example) => example.doc === join('docs', 'api.md'))).toBe(true);
  });

  it.each(markdownFiles())('type-check as written in %s', (doc) => {
    expect(errors.get(doc) ?? []).toEqual([]);
  });

  it('puts every error it finds on a document (none is lost)', () => {
    expect(errors.get('(unknown)') ?? []).toEqual([]);
  });
});
