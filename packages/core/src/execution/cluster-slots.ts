import type { ClusterSlots } from "../definitions/types.ts";
import { AssetsError } from "../errors.ts";
import type { Storage } from "../instance/types.ts";

/** How long a waiter sleeps between two tries, picked at random in [min, max] ms so waiters spread out. */
export const SLOT_POLL_MS = { min: 100, max: 250 } as const;

/** What the executor does with a run's cluster slots: tie them to the run once it exists, and end them. */
export interface ClusterSlotsBinding {
  /** From now on slots are taken under `runId` (the run whose lease keeps them). */
  bind(runId: string): void;
  /** The run has ended: waits stop, and nothing more is given back (the run's end dropped it all). */
  unbind(): void;
}

export interface RunClusterSlotsOptions {
  pollMs?: { min: number; max: number };
  /** In [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * A run's cluster slots (`Storage.acquireSlots`), handed to resource factories when they are
 * created, which is before the run exists (planning uses resources): the executor binds it to the
 * run once the run is recorded, and steps take slots only after that. A waiter asks the storage
 * again every 100-250 ms (jittered) until a slot is free.
 */
export class RunClusterSlots implements ClusterSlots, ClusterSlotsBinding {
  #runId: string | undefined;
  #ended = false;
  readonly #wakeOnEnd = new Set<() => void>();
  readonly #storage: Pick<Storage, "acquireSlots" | "releaseSlots">;
  readonly #pollMs: { min: number; max: number };
  readonly #random: () => number;

  constructor(storage: Pick<Storage, "acquireSlots" | "releaseSlots">, opts: RunClusterSlotsOptions = {}) {
    this.#storage = storage;
    this.#pollMs = opts.pollMs ?? SLOT_POLL_MS;
    this.#random = opts.random ?? Math.random;
  }

  bind(runId: string): void {
    this.#runId = runId;
    this.#ended = false;
  }

  unbind(): void {
    this.#ended = true;
    this.#runId = undefined;
    for (const wake of this.#wakeOnEnd) wake();
    this.#wakeOnEnd.clear();
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      const runId = this.#boundRun(name);
      if (this.#storage.acquireSlots(runId, name, limit, 1) === 1) return this.#releaser(runId, name);
      await this.#pause(signal);
    }
  }

  #boundRun(name: string): string {
    if (this.#runId !== undefined) return this.#runId;
    throw new AssetsError(
      "CLUSTER_SLOT_OUTSIDE_RUN",
      this.#ended
        ? `cannot take a slot of "${name}": the run has ended`
        : `cannot take a slot of "${name}" before the run has started`,
      {
        context: { semaphore: name },
        hint: "take cluster slots from a step's compute, not while the run is planned or after it",
        userError: false,
      },
    );
  }

  #releaser(runId: string, name: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // After the run's end its slots are gone already, and the storage may be closed.
      if (this.#runId !== runId) return;
      try {
        this.#storage.releaseSlots(runId, name, 1);
      } catch (err) {
        process.emitWarning(
          `could not give back a slot of "${name}" (${err instanceof Error ? err.message : String(err)}); ` +
            `it stays taken until run ${runId} ends`,
        );
      }
    };
  }

  /** Sleeps one poll interval; returns early when the run ends, rejects when `signal` aborts. */
  #pause(signal: AbortSignal | undefined): Promise<void> {
    const { min, max } = this.#pollMs;
    const ms = min + this.#random() * (max - min);
    return new Promise((resolve, reject) => {
      const settle = (abort: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#wakeOnEnd.delete(done);
        if (abort) reject(signal?.reason);
        else resolve();
      };
      const done = () => settle(false);
      const onAbort = () => settle(true);
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#wakeOnEnd.add(done);
    });
  }
}
