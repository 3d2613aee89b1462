/**
 * Gathers the requests a worker's jobs make while its event loop is busy and answers them all
 * with one call of `answer` at the next turn: jobs that start or finish together take their
 * steps, or settle them, with one statement or transaction instead of one each (each blocks the
 * event loop for a few round trips). `answer` returns one answer per request, in order. A failed
 * call fails every request of the turn; each caller's job is then retried (taking and settling
 * are idempotent).
 */
export class TurnRequests<T, R> {
  private requests: T[] = [];
  private waiters: { resolve: (answer: R) => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly answer: (requests: readonly T[]) => readonly R[]) {}

  ask(request: T): Promise<R> {
    if (this.waiters.length === 0) setImmediate(() => this.flush());
    this.requests.push(request);
    return new Promise<R>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private flush(): void {
    const { requests, waiters } = this;
    this.requests = [];
    this.waiters = [];
    let answers: readonly R[];
    try {
      answers = this.answer(requests);
    } catch (err) {
      for (const waiter of waiters) waiter.reject(err);
      return;
    }
    for (let k = 0; k < waiters.length; k++) waiters[k].resolve(answers[k]);
  }
}

/** TurnRequests for writes: the items of every caller of a turn go to one `write`, in order. */
export class TurnBatch<T> {
  private readonly requests: TurnRequests<readonly T[], void>;

  constructor(write: (items: readonly T[]) => void) {
    this.requests = new TurnRequests((lists) => {
      write(lists.flat());
      return lists.map((): void => undefined);
    });
  }

  add(items: readonly T[]): Promise<void> {
    return items.length === 0 ? Promise.resolve() : this.requests.ask(items);
  }
}
