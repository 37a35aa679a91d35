import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSvgTimeline } from '../../src/teach/index.js';
import { EXAMPLE, recordTrace } from './recorded-trace.js';

const PICTURE = fileURLToPath(new URL('../../docs/timeline-example.svg', import.meta.url));

describe('the example picture in the docs', () => {
  // Regenerate after changing the renderer: UPDATE_TIMELINE_EXAMPLE=1 npx vitest run test/teach/example-picture.test.ts
  it('is what the SVG renderer draws today for the example run of the real checker', async () => {
    const svg = renderSvgTimeline(await recordTrace(EXAMPLE));
    if (process.env.UPDATE_TIMELINE_EXAMPLE) writeFileSync(PICTURE, svg);
    expect(readFileSync(PICTURE, 'utf8')).toBe(svg);
  });
});
