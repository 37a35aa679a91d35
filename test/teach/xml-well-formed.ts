/**
 * A small well-formedness check for the SVGs we write (no DTDs, no CDATA): tags balance,
 * attribute values are quoted and escaped, text holds no raw `<` or stray `&`, one root element.
 * Returns the problems found (empty when well-formed).
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const checkText = (text: string, where: string) => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '<') problems.push(`raw "<" in ${where}`);
      if (text[i] === '&') {
        entity.lastIndex = i;
        if (!entity.test(text)) problems.push(`stray "&" in ${where}: ${text.slice(i, i + 12)}`);
      }
    }
  };
  let position = 0;
  const source = xml.replace(/^<\?xml[^>]*\?>/, '');
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y;
  while (position < source.length) {
    const open = source.indexOf('<', position);
    const text = source.slice(position, open === -1 ? source.length : open);
    if (stack.length === 0 && text.trim() !== '')
      problems.push(`text outside the root: ${text.trim().slice(0, 20)}`);
    checkText(text, `text near ${position}`);
    if (open === -1) break;
    if (source.startsWith('<!--', open)) {
      const close = source.indexOf('-->', open);
      if (close === -1) return [...problems, 'unclosed comment'];
      position = close + 3;
      continue;
    }
    tag.lastIndex = open;
    const match = tag.exec(source);
    if (!match) return [...problems, `malformed tag at ${open}: ${source.slice(open, open + 40)}`];
    const [, closing, name = '', attributes = '', selfClosing] = match;
    for (const [, value = ''] of attributes.matchAll(/="([^"]*)"/g))
      checkText(value, `an attribute of <${name}>`);
    const names = [...attributes.matchAll(/\s([\w:.-]+)=/g)].map((m) => m[1]);
    if (new Set(names).size !== names.length) problems.push(`duplicate attribute in <${name}>`);
    if (closing) {
      const expected = stack.pop();
      if (expected !== name) problems.push(`</${name}> closes <${expected ?? 'nothing'}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) {
      roots++;
    }
    position = tag.lastIndex;
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
