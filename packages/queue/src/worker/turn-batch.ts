/**
 * Gathers what the worker's steps hand in while its event loop is busy and writes it with one
 * call of `write` at the next turn: steps that finish together are settled by one transaction
 * instead of one each (each transaction blocks the event loop for a few round trips). Every
 * caller's promise settles with that write; a failed write fails all of them, and each caller's
 * job is then retried (settling is idempotent).
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly write: (items: readonly T[]) => void) {}

  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    if (this.waiters.length === 0) setImmediate(() => this.flush());
    this.items.push(...items);
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private flush(): void {
    const { items, waiters } = this;
    this.items = [];
    this.waiters = [];
    try {
      this.write(items);
    } catch (err) {
      for (const waiter of waiters) waiter.reject(err);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }
}
