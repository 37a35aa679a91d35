/**
 * Escapes text for XML content and attribute values.
 *
 * @example
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values: `undefined` and `false` leave the attribute out. */
export type Attributes = Record<string, string | number | boolean | undefined>;

/** Rounds a coordinate to 0.1 px: exact enough, and keeps the file small and stable. */
function attributeValue(value: string | number | true): string {
  if (typeof value === 'number') return String(Math.round(value * 10) / 10);
  return value === true ? '' : escapeXml(value);
}

/**
 * One XML element as a string; children are already-serialised markup (escape text with
 * {@link escapeXml} or use {@link text}).
 *
 * @example
 * element('rect', { x: 1, y: 2, width: 3.14159, height: 4 }); // '<rect x="1" y="2" width="3.1" height="4"/>'
 */
export function element(name: string, attributes: Attributes = {}, ...children: string[]): string {
  const attrs = Object.entries(attributes)
    .filter(
      (entry): entry is [string, string | number | true] => entry[1] !== undefined && entry[1] !== false,
    )
    .map(([key, value]) => ` ${key}="${attributeValue(value)}"`)
    .join('');
  const content = children.join('');
  return content === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>`;
}

/**
 * A text-bearing element (`<text>`, `<title>`, `<desc>`) with its content escaped.
 *
 * @example
 * text('title', {}, 'probe #1 → 503'); // '<title>probe #1 → 503</title>'
 */
export function text(name: string, attributes: Attributes, content: string): string {
  return element(name, attributes, escapeXml(content));
}
