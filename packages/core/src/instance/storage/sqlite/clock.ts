/**
 * The database's clock in epoch milliseconds, as an SQL expression. Leases are written and
 * compared with it, never with a caller's `Date.now()`, so every process sharing the instance
 * judges them by one clock.
 */
export const SQL_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
