import { describe, expect, it } from "vitest";
import { DelayAbortedError } from "./abortable-delay.ts";
import { ModelGate } from "./model-gate.ts";

const OK = { kind: "ok" } as const;

function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  return new Promise((resolve) => setTimeout(() => resolve(done), 20));
}

describe("ModelGate", () => {
  it("admits up to the cap per model and hands a released slot to the next waiter", async () => {
    const gate = new ModelGate({ maxConcurrency: 2 });
    const a1 = await gate.acquire("a");
    await gate.acquire("a");
    await gate.acquire("b");
    const third = gate.acquire("a");
    expect(await settled(third)).toBe(false);
    a1.release({ kind: "other" });
    a1.release({ kind: "other" });
    expect(await settled(third)).toBe(true);
    // Releasing the same slot twice must not free a second one.
    expect(await settled(gate.acquire("a"))).toBe(false);
  });

  it("rejects a queued waiter when its signal aborts and keeps the queue usable", async () => {
    const gate = new ModelGate({ maxConcurrency: 1 });
    const slot = await gate.acquire("m");
    const controller = new AbortController();
    const waiting = gate.acquire("m", controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(DelayAbortedError);
    slot.release(OK);
    expect(typeof (await gate.acquire("m")).release).toBe("function");
  });

  it("starts at the initial cap, grows by one per success until a 429, then halves once per round", async () => {
    const caps: number[] = [];
    const gate = new ModelGate({
      maxConcurrency: 64,
      initialConcurrency: 4,
      onCapChange: (_model, cap) => caps.push(cap),
    });
    expect(gate.cap("m")).toBe(4);
    const first = await Promise.all([1, 2, 3, 4].map(() => gate.acquire("m")));
    for (const slot of first) slot.release(OK);
    expect(gate.cap("m")).toBe(8);
    const round = await Promise.all(Array.from({ length: 8 }, () => gate.acquire("m")));
    // Two 429s of one round: one decrease, from the in-flight level of the first (8).
    round[7].release({ kind: "rate-limited" });
    round[6].release({ kind: "rate-limited" });
    expect(gate.cap("m")).toBe(4);
    expect(caps).toEqual([5, 6, 7, 8, 4]);
  });

  it("stays below the level that drew a 429 during the hold, then probes above it", async () => {
    let now = 0;
    const gate = new ModelGate({ maxConcurrency: 64, initialConcurrency: 8, holdMs: 1000, now: () => now });
    const slots = await Promise.all(Array.from({ length: 8 }, () => gate.acquire("m")));
    slots[7].release({ kind: "rate-limited" });
    for (const slot of slots.slice(0, 7)) slot.release({ kind: "other" });
    expect(gate.cap("m")).toBe(4);
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) (await gate.acquire("m")).release(OK);
    };
    await run(200);
    expect(gate.cap("m")).toBe(7);
    now = 1001;
    await run(20);
    expect(gate.cap("m")).toBe(9);
  });

  it("holds new calls for Retry-After after a 429, other models unaffected", async () => {
    const gate = new ModelGate({ maxConcurrency: 8 });
    (await gate.acquire("m")).release({ kind: "rate-limited", retryAfterMs: 150 });
    const started = Date.now();
    await gate.acquire("other");
    expect(Date.now() - started).toBeLessThan(100);
    await gate.acquire("m");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("spaces turns of one model by the minimum delay, other models unaffected", async () => {
    const gate = new ModelGate({ maxConcurrency: 10, minDelayMs: 80 });
    const start = Date.now();
    await gate.awaitTurn("m");
    await gate.awaitTurn("other");
    expect(Date.now() - start).toBeLessThan(60);
    await gate.awaitTurn("m");
    expect(Date.now() - start).toBeGreaterThanOrEqual(75);
  });
});
