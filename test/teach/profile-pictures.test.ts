import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { xmlProblems } from './xml-well-formed.js';

interface Picture {
  readonly file: string;
  readonly title: string;
  readonly args: readonly string[];
}

interface PicturesScript {
  readonly PICTURES: readonly Picture[];
  readonly REGENERATE: string;
  commandOf(picture: Picture): string;
  renderPicture(picture: Picture): Promise<string>;
  pathOf(picture: Picture): string;
}

// The script draws with the built kit (dist/, which globalSetup builds from the sources first),
// exactly as a person regenerating the pictures does.
const script = (await import(
  new URL('../../scripts/profile-pictures.mjs', import.meta.url).href
)) as PicturesScript;
const docs = readFileSync(new URL('../../docs/profiles.md', import.meta.url), 'utf8');

describe('the pictures of docs/profiles.md', () => {
  it.each(script.PICTURES.map((p) => [p.file, p] as const))(
    'docs/profiles/%s is what its command draws today',
    async (_file, picture) => {
      const svg = await script.renderPicture(picture);
      expect(xmlProblems(svg)).toEqual([]);
      let current = '';
      try {
        current = readFileSync(script.pathOf(picture), 'utf8');
      } catch {}
      expect(
        current === svg,
        `docs/profiles/${picture.file} drifted from what the renderer draws; regenerate with: ${script.REGENERATE}`,
      ).toBe(true);
    },
  );

  it('shows each picture on the page with the command that draws it', () => {
    const oneLine = docs.replace(/ \\\n +/g, ' ');
    for (const picture of script.PICTURES) {
      expect(docs).toContain(`](profiles/${picture.file})`);
      expect(oneLine).toContain(script.commandOf(picture));
    }
  });

  it('draws two lanes per picture, the versions before and after the change', async () => {
    for (const picture of script.PICTURES) {
      const svg = readFileSync(script.pathOf(picture), 'utf8');
      const profiles = [...svg.matchAll(/<g class="lane" data-profile="([^"]+)"/g)].map((m) => m[1]);
      const named = picture.args[picture.args.indexOf('--profile') + 1]?.split(',');
      expect(profiles).toEqual(named);
      expect(profiles).toHaveLength(2);
    }
  });
});
