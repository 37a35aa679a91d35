/**
 * One step of an alignment of two sequences: a pair (`e` and `a` both set), an expected item the
 * actual sequence lacks (`a` undefined), or an actual item the expected sequence lacks (`e`
 * undefined). Indices point into the sequences given to {@link align}.
 */
export interface AlignedPair {
  readonly e?: number;
  readonly a?: number;
}

/**
 * How two items compare: `undefined` when they cannot be paired, otherwise the cost of pairing
 * them — `edits` (0 for a match, 1 for a pair that differs, e.g. a probe too late) and `time` (a
 * tie-break among alignments with the same number of edits: the closer in time, the better).
 */
export type PairCost = (
  expectedIndex: number,
  actualIndex: number,
) => { edits: number; time: number } | undefined;

/** Past this many cells the alignment falls back to pairing by position (memory stays bounded). */
const MAX_CELLS = 4_000_000;

/**
 * Aligns two sequences by the fewest edits (an inserted or a missing item costs 1; a pair costs
 * what `pair` says), order preserved, ties broken by the smallest total time difference. This is
 * what lets a diff say "an extra `false` at 5 ms" where pairing by position would report every
 * later signal as changed.
 *
 * @example
 * const expected = [true, false];
 * const actual = [false, true, false];
 * align(2, 3, (e, a) => (expected[e] === actual[a] ? { edits: 0, time: 0 } : undefined));
 * // [{ a: 0 }, { e: 0, a: 1 }, { e: 1, a: 2 }]: the first actual value is extra
 */
export function align(expectedLength: number, actualLength: number, pair: PairCost): AlignedPair[] {
  if ((expectedLength + 1) * (actualLength + 1) > MAX_CELLS) return byPosition(expectedLength, actualLength);
  const width = actualLength + 1;
  const edits = new Float64Array((expectedLength + 1) * width);
  const time = new Float64Array((expectedLength + 1) * width);
  // 0: pair, 1: missing (skip expected), 2: extra (skip actual)
  const move = new Uint8Array((expectedLength + 1) * width);
  for (let i = 0; i <= expectedLength; i++) {
    for (let j = 0; j <= actualLength; j++) {
      const cell = i * width + j;
      if (i === 0 && j === 0) continue;
      let bestEdits = Number.POSITIVE_INFINITY;
      let bestTime = Number.POSITIVE_INFINITY;
      let bestMove = 0;
      const consider = (e: number, t: number, m: number) => {
        if (e < bestEdits || (e === bestEdits && t < bestTime)) {
          bestEdits = e;
          bestTime = t;
          bestMove = m;
        }
      };
      if (i > 0 && j > 0) {
        const cost = pair(i - 1, j - 1);
        const from = (i - 1) * width + (j - 1);
        if (cost) consider((edits[from] as number) + cost.edits, (time[from] as number) + cost.time, 0);
      }
      if (i > 0) {
        const from = (i - 1) * width + j;
        consider((edits[from] as number) + 1, time[from] as number, 1);
      }
      if (j > 0) {
        const from = i * width + (j - 1);
        consider((edits[from] as number) + 1, time[from] as number, 2);
      }
      edits[cell] = bestEdits;
      time[cell] = bestTime;
      move[cell] = bestMove;
    }
  }
  const steps: AlignedPair[] = [];
  let i = expectedLength;
  let j = actualLength;
  while (i > 0 || j > 0) {
    const m = move[i * width + j];
    if (m === 0) steps.push({ e: --i, a: --j });
    else if (m === 1) steps.push({ e: --i });
    else steps.push({ a: --j });
  }
  return steps.reverse();
}

function byPosition(expectedLength: number, actualLength: number): AlignedPair[] {
  const steps: AlignedPair[] = [];
  for (let k = 0; k < Math.max(expectedLength, actualLength); k++) {
    steps.push({ ...(k < expectedLength ? { e: k } : {}), ...(k < actualLength ? { a: k } : {}) });
  }
  return steps;
}

/** An alignment step read as a change: a pair, a missing or an extra item, or an item that changed. */
export type Change =
  | { readonly kind: 'pair'; readonly e: number; readonly a: number }
  | { readonly kind: 'missing'; readonly e: number }
  | { readonly kind: 'extra'; readonly a: number }
  | { readonly kind: 'changed'; readonly e: number; readonly a: number };

/**
 * Reads an alignment as changes: a missing item next to an extra one that `near` says is about
 * the same (e.g. two signals at the same time with different values) is one item that changed,
 * not one lost and one gained.
 *
 * @example
 * changes([{ e: 0 }, { a: 0 }], () => true); // [{ kind: 'changed', e: 0, a: 0 }]
 */
export function changes(steps: readonly AlignedPair[], near: (e: number, a: number) => boolean): Change[] {
  const result: Change[] = [];
  for (let k = 0; k < steps.length; k++) {
    const { e, a } = steps[k] as AlignedPair;
    if (e !== undefined && a !== undefined) {
      result.push({ kind: 'pair', e, a });
      continue;
    }
    const next = steps[k + 1];
    const partnerE = e === undefined ? next?.e : undefined;
    const partnerA = a === undefined ? next?.a : undefined;
    const single = next !== undefined && (next.e === undefined) !== (next.a === undefined);
    const ce = e ?? partnerE;
    const ca = a ?? partnerA;
    if (single && ce !== undefined && ca !== undefined && near(ce, ca)) {
      result.push({ kind: 'changed', e: ce, a: ca });
      k++;
      continue;
    }
    result.push(e !== undefined ? { kind: 'missing', e } : { kind: 'extra', a: a as number });
  }
  return result;
}
