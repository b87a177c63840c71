/**
 * Edit distance between two strings (Damerau-style transpositions count as one edit).
 *
 * @param a - first string
 * @param b - second string
 * @returns the number of single-character edits
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/**
 * A "Did you mean ...?" hint: the known names closest to `name` (case-insensitive matches
 * first, then edit distance at most a third of the length), or undefined when none is close.
 *
 * @param name - what the user typed
 * @param known - the valid names
 * @returns the hint text, or undefined
 */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const scored: { k: string; d: number }[] = [];
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase());
    if (d <= Math.max(1, Math.floor(name.length / 3))) scored.push({ k, d });
  }
  if (scored.length === 0) return undefined;
  scored.sort((x, y) => x.d - y.d || x.k.localeCompare(y.k));
  const best = scored.filter((s) => s.d === scored[0]!.d).slice(0, 3).map((s) => `'${s.k}'`);
  return `Did you mean ${best.join(' or ')}?`;
}
