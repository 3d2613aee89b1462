/** Pathological selections over HTTP: a clear 400, never a crashed request or a stack overflow. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const DEEP = `${"(".repeat(4000)}settings${")".repeat(4000)}`;

describe("selection limits over HTTP", () => {
  it("answers 400 with a syntax error for a selection nested thousands deep", async () => {
    const resolved = await h.request(`/api/selection?select=${encodeURIComponent(DEEP)}`);
    expect(resolved.status).toBe(400);
    expect(resolved.body.error.code).toBe("SELECTION_SYNTAX");
    expect(resolved.body.error.message).toContain("nested deeper than 100 levels");
    expect(resolved.body.error.hint).toBeTruthy();

    const launch = await h.post("/api/runs", { selection: DEEP });
    expect(launch.status).toBe(400);
    expect(launch.body.error.code).toBe("SELECTION_SYNTAX");
    expect((await h.request("/api/runs")).body.runs).toEqual([]);
  });

  it("answers 400 for a selection over 10,000 characters", async () => {
    const long = Array(6000).fill("settings").join(",");
    const launch = await h.post("/api/runs", { selection: long });
    expect(launch.status).toBe(400);
    expect(launch.body.error).toMatchObject({
      code: "SELECTION_TOO_LONG",
      context: { length: long.length, limit: 10_000 },
    });
    expect((await h.request("/api/runs")).body.runs).toEqual([]);
  });

  it("still resolves nesting within the limit", async () => {
    const nested = `${"(".repeat(100)}settings${")".repeat(100)}`;
    const res = await h.request(`/api/selection?select=${encodeURIComponent(nested)}`);
    expect(res.status).toBe(200);
    expect(res.body.keys).toEqual(["settings"]);
  });
});
