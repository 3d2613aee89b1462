import { describe, expect, it } from "vitest";
import { TurnBatch } from "./turn-batch.ts";

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
