import { describe, expect, it } from "vitest";
import { DelayAbortedError } from "./abortable-delay.ts";
import { ModelGate } from "./model-gate.ts";

describe("ModelGate", () => {
  it("admits up to the cap per model and hands a released slot to the next waiter", async () => {
    const gate = new ModelGate(2, 0);
    const a1 = await gate.acquire("a");
    await gate.acquire("a");
    await gate.acquire("b");
    let thirdAdmitted = false;
    const third = gate.acquire("a").then((release) => {
      thirdAdmitted = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(thirdAdmitted).toBe(false);
    a1();
    a1();
    await third;
    expect(thirdAdmitted).toBe(true);
    let fourthAdmitted = false;
    void gate.acquire("a").then(() => {
      fourthAdmitted = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    // Releasing the same slot twice must not free a second one.
    expect(fourthAdmitted).toBe(false);
  });

  it("rejects a queued waiter when its signal aborts and keeps the queue usable", async () => {
    const gate = new ModelGate(1, 0);
    const release = await gate.acquire("m");
    const controller = new AbortController();
    const waiting = gate.acquire("m", controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(DelayAbortedError);
    release();
    const again = await gate.acquire("m");
    expect(typeof again).toBe("function");
  });

  it("spaces turns of one model by the minimum delay, other models unaffected", async () => {
    const gate = new ModelGate(10, 80);
    const start = Date.now();
    await gate.awaitTurn("m");
    await gate.awaitTurn("other");
    expect(Date.now() - start).toBeLessThan(60);
    await gate.awaitTurn("m");
    expect(Date.now() - start).toBeGreaterThanOrEqual(75);
  });
});
