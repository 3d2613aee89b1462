import { abortableDelay, DelayAbortedError } from "./abortable-delay.ts";

/** How the attempt that held a slot ended, for the adaptive cap. */
export type SlotOutcome =
  | { kind: "ok" }
  /** HTTP 429; `retryAfterMs` when the provider said how long to wait. */
  | { kind: "rate-limited"; retryAfterMs?: number }
  /** Any other end (another error, an abort): leaves the cap as it is. */
  | { kind: "other" };

/** One call in flight; release it exactly once (later releases do nothing). */
export interface Slot {
  release(outcome: SlotOutcome): void;
}

export interface ModelGateOptions {
  /** Most calls in flight per model (DD_LLM_CONCURRENCY). */
  maxConcurrency: number;
  /** Calls in flight a model starts with; grows towards the maximum while the provider accepts them. */
  initialConcurrency?: number;
  /** Minimum spacing between the starts of two calls to one model (free tiers); 0 for none. */
  minDelayMs?: number;
  /** How long the level that drew a 429 stays the ceiling before the cap probes above it again. */
  holdMs?: number;
  /** Called when a model's cap (in whole calls) changes. */
  onCapChange?(model: string, cap: number): void;
  now?(): number;
}

export const GATE_DEFAULTS = { initialConcurrency: 8, holdMs: 30_000, decrease: 0.5 } as const;

interface Waiter {
  grant(): void;
}

interface ModelState {
  model: string;
  active: number;
  queue: Waiter[];
  /** Earliest time (ms epoch) the next call to this model may start (minimum spacing). */
  nextStart: number;
  /** Calls allowed in flight; fractional between additive increases. */
  cap: number;
  /** Until the first 429 the cap grows by one per success (doubling per round trip). */
  slowStart: boolean;
  /** Lowest in-flight level that drew a 429 during the current hold. */
  ceiling: number;
  holdUntil: number;
  /** Bumped at each decrease: a 429 of a call admitted before it does not decrease again. */
  epoch: number;
  /** No new call starts before this time (a Retry-After). */
  pausedUntil: number;
  wake: NodeJS.Timeout | undefined;
}

/**
 * Per-model admission with an adaptive cap (AIMD, as TCP does with its window): each success
 * raises the cap (by one per success until the first 429, then by one per cap's worth of
 * successes), each 429 halves it once per round, and for `holdMs` the cap stays below the
 * in-flight level that drew the 429. A Retry-After pauses every new call to that model, not
 * just the retried one. Calls to other models are unaffected.
 */
export class ModelGate {
  readonly maxConcurrency: number;
  readonly #initial: number;
  readonly #minDelayMs: number;
  readonly #holdMs: number;
  readonly #onCapChange: ModelGateOptions["onCapChange"];
  readonly #now: () => number;
  readonly #models = new Map<string, ModelState>();

  constructor(options: ModelGateOptions) {
    this.maxConcurrency = options.maxConcurrency;
    this.#initial = Math.min(
      options.maxConcurrency,
      options.initialConcurrency ?? GATE_DEFAULTS.initialConcurrency,
    );
    this.#minDelayMs = options.minDelayMs ?? 0;
    this.#holdMs = options.holdMs ?? GATE_DEFAULTS.holdMs;
    this.#onCapChange = options.onCapChange;
    this.#now = options.now ?? Date.now;
  }

  /** The model's current cap in whole calls. */
  cap(model: string): number {
    return Math.floor(this.#models.get(model)?.cap ?? this.#initial);
  }

  /**
   * Wait for a slot. `retry` puts the call at the head of the queue: a call already under way
   * goes before calls not started. Rejects with DelayAbortedError when `signal` aborts first.
   */
  acquire(model: string, signal?: AbortSignal, retry = false): Promise<Slot> {
    const state = this.#state(model);
    if (signal?.aborted) return Promise.reject(new DelayAbortedError());
    if (state.queue.length === 0 && this.#canStart(state)) return Promise.resolve(this.#admit(state));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = state.queue.indexOf(waiter);
        if (i >= 0) state.queue.splice(i, 1);
        reject(new DelayAbortedError());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#admit(state));
        },
      };
      if (retry) state.queue.unshift(waiter);
      else state.queue.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#schedule(state);
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

  #canStart(state: ModelState): boolean {
    return state.active < Math.floor(state.cap) && this.#now() >= state.pausedUntil;
  }

  #admit(state: ModelState): Slot {
    state.active++;
    const level = state.active;
    const epoch = state.epoch;
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        state.active--;
        this.#adapt(state, outcome, level, epoch);
        this.#drain(state);
      },
    };
  }

  #adapt(state: ModelState, outcome: SlotOutcome, level: number, epoch: number): void {
    const before = Math.floor(state.cap);
    const now = this.#now();
    if (outcome.kind === "ok") {
      state.cap += state.slowStart ? 1 : 1 / state.cap;
      if (now < state.holdUntil) state.cap = Math.min(state.cap, Math.max(1, state.ceiling - 1));
      state.cap = Math.min(state.cap, this.maxConcurrency);
    } else if (outcome.kind === "rate-limited") {
      if (outcome.retryAfterMs !== undefined) {
        state.pausedUntil = Math.max(state.pausedUntil, now + outcome.retryAfterMs);
      }
      state.ceiling = now < state.holdUntil ? Math.min(state.ceiling, level) : level;
      state.holdUntil = now + this.#holdMs;
      if (epoch === state.epoch) {
        state.cap = Math.max(1, Math.min(state.cap, level) * GATE_DEFAULTS.decrease);
        state.slowStart = false;
        state.epoch++;
      }
    }
    const after = Math.floor(state.cap);
    if (after !== before) this.#onCapChange?.(state.model, after);
  }

  /** Hand free slots to waiters in order; while paused, come back when the pause ends. */
  #drain(state: ModelState): void {
    while (state.queue.length > 0 && this.#canStart(state)) state.queue.shift()?.grant();
    this.#schedule(state);
  }

  #schedule(state: ModelState): void {
    if (state.wake !== undefined || state.queue.length === 0) return;
    const wait = state.pausedUntil - this.#now();
    if (wait <= 0) return;
    state.wake = setTimeout(() => {
      state.wake = undefined;
      this.#drain(state);
    }, wait);
  }

  #state(model: string): ModelState {
    let state = this.#models.get(model);
    if (!state) {
      state = {
        model,
        active: 0,
        queue: [],
        nextStart: 0,
        cap: this.#initial,
        slowStart: true,
        ceiling: Number.POSITIVE_INFINITY,
        holdUntil: 0,
        epoch: 0,
        pausedUntil: 0,
        wake: undefined,
      };
      this.#models.set(model, state);
    }
    return state;
  }
}
