import { abortableDelay, DelayAbortedError } from "./abortable-delay.ts";

interface Waiter {
  grant: () => void;
}

interface ModelState {
  active: number;
  queue: Waiter[];
  /** Earliest time (ms epoch) the next call to this model may start. */
  nextStart: number;
}

/**
 * Per-model admission: at most `concurrency` calls in flight per model (a small semaphore),
 * and optionally at least `minDelayMs` between the starts of consecutive calls (free tiers).
 */
export class ModelGate {
  readonly #concurrency: number;
  readonly #minDelayMs: number;
  readonly #models = new Map<string, ModelState>();

  constructor(concurrency: number, minDelayMs: number) {
    this.#concurrency = concurrency;
    this.#minDelayMs = minDelayMs;
  }

  /** Wait for a slot; resolves to its release function. Rejects with DelayAbortedError on abort. */
  acquire(model: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.#state(model);
    if (signal?.aborted) return Promise.reject(new DelayAbortedError());
    const release = once(() => this.#release(state));
    if (state.active < this.#concurrency) {
      state.active++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = state.queue.indexOf(waiter);
        if (i >= 0) state.queue.splice(i, 1);
        reject(new DelayAbortedError());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
      };
      state.queue.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wait until this model's minimum spacing allows another call to start. */
  async awaitTurn(model: string, signal?: AbortSignal): Promise<void> {
    if (this.#minDelayMs <= 0) return;
    const state = this.#state(model);
    const now = Date.now();
    const start = Math.max(now, state.nextStart);
    state.nextStart = start + this.#minDelayMs;
    await abortableDelay(start - now, signal);
  }

  #release(state: ModelState): void {
    const next = state.queue.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next.grant();
    else state.active--;
  }

  #state(model: string): ModelState {
    let state = this.#models.get(model);
    if (!state) {
      state = { active: 0, queue: [], nextStart: 0 };
      this.#models.set(model, state);
    }
    return state;
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
