/**
 * US dollars for people: cents for amounts of a cent or more ($0.50, $12.34), four
 * significant digits below that ($0.0001234) so small per-call costs do not read as $0.00.
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0.00";
  if (Math.abs(usd) >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(4))}`;
}
