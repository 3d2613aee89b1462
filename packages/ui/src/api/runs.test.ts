import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, launchAndWait, startHarness, waitFor } from "../testing/harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await launchAndWait(h, { selection: "settings,register_items" });
});
afterAll(async () => {
  await h.close();
});

describe("launching runs", () => {
  it("launches a partitioned run like the CLI and answers 202 with the run id", async () => {
    const res = await h.post("/api/runs", {
      selection: "item_value,item_report",
      partitions: { mode: "all" },
    });
    expect(res.status).toBe(202);
    expect(res.body.runId).toMatch(/\S/);
    expect(res.body.run).toMatchObject({
      selection: "item_value,item_report",
      partitionsSummary: "all",
      stepCount: 8,
    });
    await waitFor(async () =>
      (await h.request(`/api/runs/${res.body.runId}`)).body.live ? undefined : true,
    );
    const detail = (await h.request(`/api/runs/${res.body.runId}`)).body;
    expect(detail.run.status).toBe("failed");
    expect(detail.counts).toMatchObject({
      succeeded: 6,
      failed: 1,
      skipped: 1,
      canceled: 0,
      running: 0,
      pending: 0,
    });
    expect(detail.failures).toEqual([
      { assetKey: "item_value", partitionKey: "broken", error: expect.stringContaining("no price list") },
    ]);
    expect(detail.logPath).toMatch(/\.jsonl$/);
  });

  it("accepts one key, a pasted list and missing", async () => {
    const one = await launchAndWait(h, {
      selection: "item_value",
      partitions: { mode: "key", key: "apple" },
    });
    expect((await h.request(`/api/runs/${one}`)).body.run.stepCount).toBe(1);
    const list = await launchAndWait(h, {
      selection: "item_value",
      partitions: { mode: "keys", keys: "apple\nbanana, cherry\n" },
    });
    expect((await h.request(`/api/runs/${list}`)).body.run.stepCount).toBe(3);
    const missing = await launchAndWait(h, { selection: "item_value", partitions: { mode: "missing" } });
    expect((await h.request(`/api/runs/${missing}`)).body.run.stepCount).toBe(1);
  });

  it("passes run config given as YAML text", async () => {
    const res = await h.post("/api/runs", { selection: "settings", runConfig: "assets:\n  nope: {}\n" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("nope");
  });

  it("rejects bad launches with 400 and a hint, before any run is recorded", async () => {
    const before = (await h.request("/api/runs")).body.runs.length;
    const cases = [
      [{ selection: "" }, "selection"],
      [{ selection: "no_such_asset" }, "no_such_asset"],
      [{ selection: "item_value", partitions: { mode: "key", key: "a/b" } }, "/"],
      [{ selection: "item_value", partitions: { mode: "keys", keys: [] } }, "keys"],
      [{ selection: "item_value", partitions: { mode: "some" } }, "mode"],
      [{ selection: "item_value", partitions: { mode: "key", key: "durian" } }, "durian"],
      [{ selection: "item_value" }, "partition"],
      [{ selection: "settings", concurrency: 0 }, "concurrency"],
    ] as const;
    for (const [body, mention] of cases) {
      const res = await h.post("/api/runs", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body.error), JSON.stringify(body)).toContain(mention);
    }
    expect((await h.request("/api/runs")).body.runs.length).toBe(before);
  });

  it("rejects a body that is not JSON", async () => {
    const res = await h.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(res.status).toBe(415);
    const bad = await h.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
  });
});

describe("reading runs", () => {
  let runId: string;
  beforeAll(async () => {
    runId = await launchAndWait(h, { selection: "item_value", partitions: { mode: "all" } });
  });

  it("lists runs newest first and filters by status", async () => {
    const all = (await h.request("/api/runs")).body.runs;
    expect(all[0].runId).toBe(runId);
    const failed = (await h.request("/api/runs?status=failed")).body.runs;
    expect(failed.every((r: { status: string }) => r.status === "failed")).toBe(true);
    expect(failed.length).toBeGreaterThan(0);
    expect((await h.request("/api/runs?status=weird")).status).toBe(400);
  });

  it("pages and filters a run's steps", async () => {
    const page = (await h.request(`/api/runs/${runId}/steps?limit=2`)).body;
    expect(page.total).toBe(4);
    expect(page.items).toHaveLength(2);
    const failed = (await h.request(`/api/runs/${runId}/steps?status=failed`)).body;
    expect(failed.items).toEqual([
      expect.objectContaining({ assetKey: "item_value", partitionKey: "broken", status: "failed" }),
    ]);
    expect(failed.items[0].durationMs).toBeTypeOf("number");
  });

  it("returns events after an id for polling", async () => {
    const all = (await h.request(`/api/runs/${runId}/events`)).body;
    const types = all.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe("run_start");
    expect(types.at(-1)).toBe("run_end");
    const after = (await h.request(`/api/runs/${runId}/events?after=${all.events[1].id}`)).body;
    expect(after.events).toHaveLength(all.events.length - 2);
  });

  it("returns the log as whole JSON lines from a byte offset", async () => {
    const log = (await h.request(`/api/runs/${runId}/log`)).body;
    expect(log.lines.length).toBeGreaterThan(0);
    const first = JSON.parse(log.lines[0]);
    expect(first.run_id).toBe(runId);
    expect(log.nextOffset).toBe(log.size);
    const rest = (await h.request(`/api/runs/${runId}/log?offset=${log.nextOffset}`)).body;
    expect(rest.lines).toEqual([]);
  });

  it("returns only the last whole lines of the log with tail", async () => {
    const whole = (await h.request(`/api/runs/${runId}/log`)).body;
    const lastTwo = whole.lines.slice(-2).join("\n").length + 2;
    const tail = (await h.request(`/api/runs/${runId}/log?tail=${lastTwo + 5}`)).body;
    expect(tail.lines).toEqual(whole.lines.slice(-2));
    expect(tail.nextOffset).toBe(whole.size);
  });

  it("streams a finished run's events and log over SSE, then ends", async () => {
    const res = await fetch(new URL(`/api/runs/${runId}/stream`, h.server.url));
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names[0]).toBe("run");
    expect(names).toContain("events");
    expect(names).toContain("log");
    expect(names.at(-1)).toBe("end");
  });

  it("streams only what follows the run page's last event and log offset", async () => {
    const detail = (await h.request(`/api/runs/${runId}`)).body;
    expect(detail.lastEventId).toBeGreaterThan(0);
    const log = (await h.request(`/api/runs/${runId}/log`)).body;
    const url = `/api/runs/${runId}/stream?after=${detail.lastEventId}&logOffset=${log.nextOffset}`;
    const text = await (await fetch(new URL(url, h.server.url))).text();
    expect(text).not.toContain("event: log");
    expect(text).not.toContain("step_start");
    expect(text).toContain('"type":"run_end"');
  });

  it("answers 404 for an unknown run on every run endpoint", async () => {
    for (const suffix of ["", "/steps", "/events", "/log", "/stream"]) {
      expect((await h.request(`/api/runs/nope${suffix}`)).status).toBe(404);
    }
    expect((await h.post("/api/runs/nope/cancel")).status).toBe(404);
  });
});

describe("canceling runs", () => {
  it("cancels a run launched here; the run ends canceled", async () => {
    const res = await h.post("/api/runs", {
      selection: "slow_item",
      partitions: { mode: "key", key: "apple" },
    });
    const runId = res.body.runId;
    await waitFor(async () => {
      const steps = (await h.request(`/api/runs/${runId}/steps?status=running`)).body;
      return steps.total === 1 ? true : undefined;
    });
    const cancel = await h.post(`/api/runs/${runId}/cancel`);
    expect(cancel.status).toBe(202);
    const detail = await waitFor(async () => {
      const d = (await h.request(`/api/runs/${runId}`)).body;
      return d.live ? undefined : d;
    });
    expect(detail.run.status).toBe("canceled");
    // The step was running when the run was canceled: canceled, not skipped.
    expect(detail.counts).toMatchObject({ canceled: 1, skipped: 0, running: 0, pending: 0 });
    const canceled = (await h.request(`/api/runs/${runId}/steps?status=canceled`)).body;
    expect(canceled.items).toEqual([
      expect.objectContaining({ assetKey: "slow_item", partitionKey: "apple", status: "canceled" }),
    ]);
  });

  it("refuses to cancel a run that has ended (409)", async () => {
    const runId = (await h.request("/api/runs?status=succeeded")).body.runs[0].runId;
    const res = await h.post(`/api/runs/${runId}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("run_ended");
  });

  it("refuses to cancel a run of another process (409) with a hint", async () => {
    h.instance.storage.createRun({
      runId: "other-process-run",
      status: "started",
      selection: "settings",
      partitionsSummary: "",
      stepCount: 1,
      pid: process.pid,
      host: "elsewhere",
      tags: {},
    });
    const res = await h.post("/api/runs/other-process-run/cancel");
    expect(res.status).toBe(409);
    expect(res.body.error.hint).toContain("Ctrl-C");
  });
});
