/** Levenshtein distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, substitute));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * Up to `max` candidates closest to `name`, best first (ties keep candidate order).
 * A candidate qualifies when it is a plausible typo (distance at most about half the name)
 * or when one name contains the other, so `response` finds `draft_response`.
 */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const wanted = name.toLowerCase();
  const threshold = Math.max(2, Math.floor(wanted.length / 2));
  const scored: Array<{ candidate: string; distance: number; order: number }> = [];
  let order = 0;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const distance = editDistance(wanted, lower);
    const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
    if (distance <= threshold || contains) scored.push({ candidate, distance, order: order });
    order++;
  }
  scored.sort((a, b) => a.distance - b.distance || a.order - b.order);
  return scored.slice(0, max).map((s) => s.candidate);
}

/** `did you mean "a", "b" or "c"?` or "" when there is nothing close. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  const quoted = suggestions.map((s) => `"${s}"`);
  const last = quoted.pop()!;
  return `did you mean ${quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last}?`;
}
