/**
 * Escapes text for HTML content and double- or single-quoted attribute values: a case id, a
 * description or a diff line may hold `<`, `&` or quotes, and must never become markup.
 *
 * @example
 * escapeHtml('<script>"x"</script>'); // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A fragment id that is safe anywhere and one-to-one with its parts: letters, digits and `-`
 * stay; every other character (`_` and `.` included) becomes `_<hex code point>_`; parts are
 * joined by `.`, which an encoded part cannot contain. So `href="#…"` needs no URL encoding,
 * two case ids never share an anchor, and an id cannot break out of its attribute.
 *
 * @example
 * anchorId('case', 'a<b'); // 'case.a_3c_b'
 * anchorId('cell', 'x', 'dapr-1.0'); // 'cell.x.dapr-1_2e_0'
 */
export function anchorId(...parts: string[]): string {
  return parts
    .map((part) =>
      [...part]
        .map((ch) => (/^[A-Za-z0-9-]$/.test(ch) ? ch : `_${(ch.codePointAt(0) ?? 0).toString(16)}_`))
        .join(''),
    )
    .join('.');
}
