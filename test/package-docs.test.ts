import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The documentation a user reads agrees with the package: every link in the README and docs/
 * resolves (files and #anchors), every name docs/api.md documents is exported by the entry it is
 * documented under, and every export is documented there.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = ['probekit', 'probekit/conformance', 'probekit/vitest'] as const;
type Entry = (typeof ENTRIES)[number];

function markdownFiles(dir = 'docs'): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith('.md')
        ? [join(dir, entry.name)]
        : [],
  );
}
const DOCS = ['README.md', ...markdownFiles()];

/** The lines of a Markdown file outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push({ line: i + 1, text: line });
  });
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const base = (heading[1] ?? '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

interface Link {
  doc: string;
  line: number;
  target: string;
}

function links(doc: string): Link[] {
  const found: Link[] = [];
  for (const { line, text } of proseLines(readFileSync(join(root, doc), 'utf8'))) {
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      found.push({ doc, line, target: match[1] ?? '' });
    }
  }
  return found;
}

/** Why a link does not resolve, or undefined when it does. External links are not fetched. */
function problem({ doc, target }: Link): string | undefined {
  if (/^(https?|mailto):/.test(target)) return undefined;
  const [path = '', fragment] = target.split('#');
  const file = path === '' ? join(root, doc) : join(root, dirname(doc), decodeURIComponent(path));
  if (!file.startsWith(root)) return 'points outside the repository';
  if (!existsSync(file)) return `${relative(root, file)} does not exist`;
  if (fragment === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return 'an anchor into something that is not Markdown';
  return anchors(readFileSync(file, 'utf8')).has(fragment)
    ? undefined
    : `no heading in ${relative(root, file)} has the anchor #${fragment}`;
}

describe('links in the README and docs/', () => {
  it('finds the links to check', () => {
    const readme = links('README.md');
    expect(readme.length).toBeGreaterThan(10);
    expect(readme.map((link) => link.target)).toContain('docs/api.md');
  });

  it.each(DOCS)('resolve, files and anchors, in %s', (doc) => {
    const broken = links(doc).flatMap((link) => {
      const why = problem(link);
      return why === undefined ? [] : [`line ${link.line}: (${link.target}) ${why}`];
    });
    expect(broken).toEqual([]);
  });

  it('reports a link to a missing file and to a missing anchor (the checker can fail)', () => {
    expect(problem({ doc: 'README.md', line: 1, target: 'docs/nope.md' })).toBe(
      'docs/nope.md does not exist',
    );
    expect(problem({ doc: 'README.md', line: 1, target: 'docs/api.md#nope' })).toMatch(/no heading .* #nope/);
    expect(problem({ doc: 'docs/api.md', line: 1, target: '#checker' })).toBeUndefined();
  });
});

/** The names docs/api.md documents, by entry: headings that start with a code span, and constants tables. */
function documentedNames(): Map<Entry, Set<string>> {
  const names = new Map<Entry, Set<string>>(ENTRIES.map((entry) => [entry, new Set<string>()]));
  let entry: Entry = 'probekit';
  let inConstants = false;
  for (const { text } of proseLines(readFileSync(join(root, 'docs', 'api.md'), 'utf8'))) {
    if (text.startsWith('## ')) {
      entry = text.includes('`probekit/conformance`')
        ? 'probekit/conformance'
        : text.includes('`probekit/vitest`')
          ? 'probekit/vitest'
          : 'probekit';
      inConstants = false;
    } else if (text.startsWith('### ')) {
      inConstants = /constants$/i.test(text);
      const title = text.slice(4);
      if (!title.startsWith('`')) continue;
      for (const span of title.matchAll(/`(?:new\s+)?([A-Za-z_$][\w$]*)/g))
        names.get(entry)?.add(span[1] ?? '');
    } else if (inConstants) {
      const row = /^\|\s*`([A-Za-z_$][\w$]*)`/.exec(text);
      if (row !== null) names.get(entry)?.add(row[1] ?? '');
    }
  }
  return names;
}

function exportedNames(): Map<Entry, string[]> {
  const source = `const out = {}; for (const entry of ${JSON.stringify(ENTRIES)}) out[entry] = Object.keys(await import(entry)); console.log(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: root,
    encoding: 'utf8',
  });
  return new Map(Object.entries(JSON.parse(out) as Record<Entry, string[]>) as [Entry, string[]][]);
}

describe('docs/api.md and the exports', () => {
  const documented = documentedNames();
  const exported = exportedNames();

  it.each(ENTRIES)('documents only names that "%s" exports', (entry) => {
    const missing = [...(documented.get(entry) ?? [])].filter((name) => !exported.get(entry)?.includes(name));
    expect(missing).toEqual([]);
  });

  it.each(ENTRIES)('documents every value "%s" exports', (entry) => {
    const undocumented = (exported.get(entry) ?? []).filter((name) => !documented.get(entry)?.has(name));
    expect(undocumented).toEqual([]);
  });

  it('reads the names from headings and constants tables (a sample)', () => {
    expect(documented.get('probekit')).toContain('startEndpointHealthCheck');
    expect(documented.get('probekit')).toContain('DEFAULTS');
    expect(documented.get('probekit/conformance')).toContain('runServerConformance');
    expect(documented.get('probekit/vitest')).toContain('describeCheckerConformance');
  });
});
