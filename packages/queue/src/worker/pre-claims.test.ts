import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Instance, openInstance, type StepRef } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpenStep } from "../steps/step-rows.ts";
import { PreClaims } from "./pre-claims.ts";

let home: string;
let instance: Instance;

function startRun(runId: string): void {
  instance.storage.createRun({
    runId,
    status: "started",
    selection: "a",
    partitionsSummary: "",
    stepCount: 0,
    pid: process.pid,
    host: os.hostname(),
    tags: {},
    leaseMs: 60_000,
  });
}

function openStep(partitionKey: string, recheck = false): OpenStep {
  return {
    run: "queued",
    node: 0,
    assetKey: "a",
    partitionKey,
    queue: "default",
    recheck,
    checks: true,
    runConfig: null,
    doneByRun: false,
  };
}

const ref = (partitionKey: string): StepRef => ({ assetKey: "a", partitionKey });

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "pre-claims-"));
  instance = openInstance(home);
  startRun("worker");
  startRun("other");
});

afterEach(() => {
  instance.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("PreClaims", () => {
  it("answers a plan's claims of pre-claimed steps without asking the storage, the rest as the storage does", () => {
    const pre = new PreClaims(instance.storage, "worker");
    instance.storage.claimSteps("other", [ref("held")]);
    pre.claim([openStep("p1"), openStep("p2"), openStep("held")]);
    // Really claimed: another run is refused them.
    expect(instance.storage.claimSteps("other", [ref("p1")]).held.map((h) => h.holder.runId)).toEqual([
      "worker",
    ]);

    const view = pre.instanceView(instance);
    const asked: StepRef[][] = [];
    const claimSteps = instance.storage.claimSteps.bind(instance.storage);
    instance.storage.claimSteps = (runId, steps, opts) => {
      asked.push([...steps]);
      return claimSteps(runId, steps, opts);
    };
    const steps = [ref("p2"), ref("held"), ref("p1"), ref("new")];
    const outcome = view.storage.claimSteps("worker", steps);
    // The very objects given, in the order given (the executor matches them by identity).
    expect(outcome.claimed).toHaveLength(3);
    expect(outcome.claimed[0]).toBe(steps[0]);
    expect(outcome.claimed[1]).toBe(steps[2]);
    expect(outcome.claimed[2]).toBe(steps[3]);
    expect(outcome.held[0].step).toBe(steps[1]);
    expect(outcome.held.map((h) => [h.step, h.holder.runId])).toEqual([[steps[1], "other"]]);
    expect(outcome.materialized).toEqual([]);
    expect(asked).toEqual([[steps[1], steps[3]]]);
    // Answered once: asked again, they go to the storage (already this run's: claimed).
    expect(view.storage.claimSteps("worker", [ref("p1")]).claimed).toHaveLength(1);
    expect(asked).toHaveLength(2);
    // Other storage methods pass through.
    expect(view.storage.getRun("worker")?.status).toBe("started");
  });

  it("gives back a claim no plan asked for, and none that a plan took", () => {
    const pre = new PreClaims(instance.storage, "worker");
    pre.claim([openStep("unasked"), openStep("asked")]);
    pre.instanceView(instance).storage.claimSteps("worker", [ref("asked")]);
    pre.release(ref("unasked"));
    pre.release(ref("asked"));
    expect(instance.storage.claimSteps("other", [ref("unasked")]).claimed).toHaveLength(1);
    expect(instance.storage.claimSteps("other", [ref("asked")]).held).toHaveLength(1);
  });

  it("a re-checking step found materialized is answered so, and holds no claim", () => {
    const pre = new PreClaims(instance.storage, "worker");
    instance.storage.recordBatch({
      events: [
        {
          runId: "other",
          timestamp: new Date().toISOString(),
          type: "materialization",
          assetKey: "a",
          partitionKey: "done",
          message: null,
          metadata: null,
          error: null,
        },
      ],
      checkResults: [],
    });
    pre.claim([openStep("done", true)]);
    const outcome = pre.instanceView(instance).storage.claimSteps("worker", [ref("done")], {
      skipMaterialized: true,
    });
    expect(outcome.materialized).toEqual([ref("done")]);
    expect(instance.storage.claimSteps("other", [ref("done")]).claimed).toHaveLength(1);
  });
});
