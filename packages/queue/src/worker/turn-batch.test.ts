import { describe, expect, it } from "vitest";
import { TurnBatch, TurnRequests } from "./turn-batch.ts";

describe("TurnBatch", () => {
  it("writes what was added in one turn of the event loop with one call, in order", async () => {
    const writes: number[][] = [];
    const batch = new TurnBatch<number>((items) => writes.push([...items]));
    const first = [batch.add([1, 2]), batch.add([3]), batch.add([])];
    expect(writes).toEqual([]);
    await Promise.all(first);
    expect(writes).toEqual([[1, 2, 3]]);
    await batch.add([4]);
    expect(writes).toEqual([[1, 2, 3], [4]]);
  });

  it("fails every caller of a failed write, and writes the next turn's items anew", async () => {
    let fail = true;
    const writes: string[][] = [];
    const batch = new TurnBatch<string>((items) => {
      if (fail) throw new Error("deadlock");
      writes.push([...items]);
    });
    const results = await Promise.allSettled([batch.add(["a"]), batch.add(["b"])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await batch.add(["c"]);
    expect(writes).toEqual([["c"]]);
  });
});

describe("TurnRequests", () => {
  it("answers the requests of one turn with one call, each caller its own answer", async () => {
    const calls: string[][] = [];
    const lengths = new TurnRequests<string, number>((requests) => {
      calls.push([...requests]);
      return requests.map((r) => r.length);
    });
    const answers = await Promise.all([lengths.ask("a"), lengths.ask("bbb"), lengths.ask("cc")]);
    expect(answers).toEqual([1, 3, 2]);
    expect(calls).toEqual([["a", "bbb", "cc"]]);
    expect(await lengths.ask("dddd")).toBe(4);
    expect(calls).toHaveLength(2);
  });
});
