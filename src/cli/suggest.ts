/**
 * Edit distance between two short strings (insertions, deletions, substitutions and swaps of
 * two neighbours), for "did you mean" hints. Flag names are a few dozen characters at most, so
 * the plain O(a·b) table is all it needs.
 *
 * @example
 * editDistance('--intreval', '--interval'); // 1
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] as number;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The known name closest to `wrong`, or undefined when none is close enough to be a typo
 * (at most a third of the name's letters off, and never more than 3). A known name that
 * starts with `wrong` (`--thresh` for `--threshold`) also counts.
 *
 * @example
 * nearest('intervall', ['interval', 'timeout']); // 'interval'
 */
export function nearest(wrong: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.startsWith(wrong) && wrong.length >= 2 ? 1 : editDistance(wrong, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const allowed = Math.min(3, Math.max(1, Math.floor(best.name.length / 3)));
  return best.distance <= allowed ? best.name : undefined;
}
