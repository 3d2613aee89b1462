/** "Did you mean ...?" for names typed by the user. */

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length];
}

/** Up to `max` candidates close to `name` (by edit distance, or containing it), closest first. */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  return [...candidates]
    .map((c) => {
      const cl = c.toLowerCase();
      const distance = cl.includes(lower) || lower.includes(cl) ? 0.5 : editDistance(lower, cl);
      return { c, distance };
    })
    .filter(({ c, distance }) => distance <= Math.max(2, Math.floor(c.length / 3)))
    .sort((x, y) => x.distance - y.distance || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(({ c }) => c);
}

/** A hint naming close candidates, or listing what exists when nothing is close. */
export function suggestionHint(name: string, candidates: string[], what: string): string {
  const close = closestNames(name, candidates);
  if (close.length > 0) return `did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`;
  if (candidates.length === 0) return `no ${what} is defined`;
  const shown = candidates.slice(0, 10).join(", ");
  return `known ${what}s: ${shown}${candidates.length > 10 ? ", ..." : ""}`;
}
