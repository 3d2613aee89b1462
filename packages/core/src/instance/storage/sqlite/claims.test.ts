import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exitedPid, startIdleProcess, startZombieProcess } from "../../testing/processes.ts";
import { createTestRun, materialization } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let dbPath: string;
let storage: SqliteStorage;

beforeEach(() => {
  dir = makeTempDir();
  dbPath = path.join(dir, "instance.db");
  storage = new SqliteStorage(dbPath);
});

afterEach(() => {
  storage.close();
  removeTempDir(dir);
});

const steps = (...keys: string[]) => keys.map((partitionKey) => ({ assetKey: "squares", partitionKey }));

describe("step claims", () => {
  it("claims a free step, and the same run may claim it again", () => {
    const run = createTestRun(storage);
    expect(storage.claimStep("squares", "1", run.runId)).toBe(true);
    expect(storage.claimStep("squares", "1", run.runId)).toBe(true);
  });

  it("refuses a step held by another live run, even through another connection", () => {
    const holder = createTestRun(storage);
    const other = createTestRun(storage);
    const second = new SqliteStorage(dbPath);
    try {
      expect(storage.claimStep("squares", "1", holder.runId)).toBe(true);
      expect(second.claimStep("squares", "1", other.runId)).toBe(false);
      expect(second.claimStep("squares", "2", other.runId)).toBe(true);
      expect(storage.claimStep("cubes", "1", other.runId)).toBe(true);
    } finally {
      second.close();
    }
  });

  it("treats the unpartitioned step as its own claim", () => {
    const a = createTestRun(storage);
    const b = createTestRun(storage);
    expect(storage.claimStep("config", "", a.runId)).toBe(true);
    expect(storage.claimStep("config", "", b.runId)).toBe(false);
  });

  it("takes over a claim whose process has exited", () => {
    const crashed = createTestRun(storage, { pid: exitedPid() });
    const live = createTestRun(storage);
    expect(storage.claimStep("squares", "1", crashed.runId)).toBe(true);
    expect(storage.claimStep("squares", "1", live.runId)).toBe(true);
    // the claim is now the live run's: the crashed run cannot take it back
    const later = createTestRun(storage);
    expect(storage.claimStep("squares", "1", later.runId)).toBe(false);
  });

  it("refuses while the holding process is alive and takes over once it has exited", async () => {
    const idle = startIdleProcess();
    try {
      const holder = createTestRun(storage, { pid: idle.pid });
      const mine = createTestRun(storage);
      expect(storage.claimStep("squares", "1", holder.runId)).toBe(true);
      expect(storage.claimStep("squares", "1", mine.runId)).toBe(false);
      await idle.stop();
      expect(storage.claimStep("squares", "1", mine.runId)).toBe(true);
    } finally {
      await idle.stop();
    }
  });

  it("takes over a claim of a run that is no longer started", () => {
    const finished = createTestRun(storage);
    const next = createTestRun(storage);
    expect(storage.claimStep("squares", "1", finished.runId)).toBe(true);
    storage.updateRun(finished.runId, { status: "succeeded" });
    expect(storage.claimStep("squares", "1", next.runId)).toBe(true);
  });

  it("keeps a claim held by a started run on another host while its lease is fresh", () => {
    const remote = createTestRun(storage, { host: "worker-7.example", pid: exitedPid() });
    const local = createTestRun(storage);
    expect(storage.claimStep("squares", "1", remote.runId)).toBe(true);
    expect(storage.claimStep("squares", "1", local.runId)).toBe(false);
    expect(storage.getRun(remote.runId)?.status).toBe("started");
  });

  it("takes over every claim of a run on another host whose lease expired, marking it interrupted", () => {
    const remote = createTestRun(storage, { host: "worker-7.example", pid: process.pid, leaseMs: -1 });
    const local = createTestRun(storage);
    storage.claimSteps(remote.runId, steps("1", "2"));
    expect(storage.claimSteps(local.runId, steps("1")).claimed).toEqual(steps("1"));
    expect(storage.getRun(remote.runId)?.status).toBe("interrupted");
    // its other claim went with it
    const third = createTestRun(storage);
    expect(storage.claimSteps(third.runId, steps("2")).claimed).toEqual(steps("2"));
  });

  it("a heartbeat keeps a lease fresh; a run marked interrupted cannot renew it", () => {
    const remote = createTestRun(storage, { host: "worker-7.example", leaseMs: -1 });
    expect(storage.heartbeatRun(remote.runId, 30_000)).toBe(true);
    const local = createTestRun(storage);
    storage.claimStep("squares", "1", remote.runId);
    expect(storage.claimStep("squares", "1", local.runId)).toBe(false);
    expect(storage.heartbeatRun(remote.runId, -1)).toBe(true);
    expect(storage.claimStep("squares", "1", local.runId)).toBe(true);
    expect(storage.heartbeatRun(remote.runId, 30_000)).toBe(false);
  });

  it("treats a zombie holder (killed, not reaped) on this host as dead", async () => {
    const zombie = await startZombieProcess();
    try {
      const holder = createTestRun(storage, { pid: zombie.pid });
      const mine = createTestRun(storage);
      expect(storage.claimStep("squares", "1", holder.runId)).toBe(true);
      expect(storage.claimStep("squares", "1", mine.runId)).toBe(true);
      expect(storage.getRun(holder.runId)?.status).toBe("interrupted");
    } finally {
      zombie.reap();
    }
  });

  it("reports steps already materialized instead of claiming them when asked to", () => {
    const done = createTestRun(storage);
    storage.appendEvents([materialization(done.runId, "squares", "1")]);
    const mine = createTestRun(storage);
    const wanted = steps("1", "2");
    const outcome = storage.claimSteps(mine.runId, wanted, { skipMaterialized: true });
    expect(outcome.materialized).toEqual([wanted[0]]);
    expect(outcome.claimed).toEqual([wanted[1]]);
    // without the option the step is claimed as usual
    expect(storage.claimSteps(mine.runId, steps("1")).claimed).toEqual(steps("1"));
  });

  it("releases the given steps only, or all of a run's steps", () => {
    const a = createTestRun(storage);
    const b = createTestRun(storage);
    for (const p of ["1", "2", "3"]) storage.claimStep("squares", p, a.runId);
    storage.releaseSteps(a.runId, [{ assetKey: "squares", partitionKey: "2" }]);
    expect(storage.claimStep("squares", "1", b.runId)).toBe(false);
    expect(storage.claimStep("squares", "2", b.runId)).toBe(true);
    // releasing a step held by another run is a no-op
    storage.releaseSteps(a.runId, [{ assetKey: "squares", partitionKey: "2" }]);
    expect(storage.claimStep("squares", "2", a.runId)).toBe(false);
    storage.releaseSteps(a.runId);
    expect(storage.claimStep("squares", "1", b.runId)).toBe(true);
    expect(storage.claimStep("squares", "3", b.runId)).toBe(true);
  });

  it("rejects a claim for a run that does not exist", () => {
    expect(() => storage.claimStep("squares", "1", "ghost")).toThrow(/run ghost does not exist/);
  });
});

describe("batched step claims", () => {
  it("returns the steps it claimed, as the same objects and in the order given", () => {
    const holder = createTestRun(storage);
    const mine = createTestRun(storage);
    storage.claimStep("squares", "2", holder.runId);
    const wanted = steps("1", "2", "3");
    const { claimed, held, materialized } = storage.claimSteps(mine.runId, wanted);
    expect(claimed).toEqual([wanted[0], wanted[2]]);
    expect(claimed[0]).toBe(wanted[0]);
    expect(claimed[1]).toBe(wanted[2]);
    expect(held).toEqual([
      { step: wanted[1], holder: { runId: holder.runId, host: holder.host, pid: process.pid } },
    ]);
    expect(held[0].step).toBe(wanted[1]);
    expect(materialized).toEqual([]);
  });

  it("holds what it claimed against other runs and connections until released", () => {
    const mine = createTestRun(storage);
    const other = createTestRun(storage);
    const second = new SqliteStorage(dbPath);
    try {
      expect(storage.claimSteps(mine.runId, steps("1", "2")).claimed).toHaveLength(2);
      expect(second.claimSteps(other.runId, steps("1", "2", "3")).claimed).toEqual(steps("3"));
      storage.releaseSteps(mine.runId, steps("1"));
      expect(second.claimSteps(other.runId, steps("1", "2")).claimed).toEqual(steps("1"));
    } finally {
      second.close();
    }
  });

  it("takes over steps of dead or finished runs and keeps those of live ones, in one call", () => {
    const crashed = createTestRun(storage, { pid: exitedPid() });
    const finished = createTestRun(storage);
    const live = createTestRun(storage);
    const mine = createTestRun(storage);
    storage.claimSteps(crashed.runId, steps("1", "2"));
    storage.claimSteps(finished.runId, steps("3"));
    storage.claimSteps(live.runId, steps("4", "5"));
    storage.updateRun(finished.runId, { status: "succeeded" });
    expect(storage.claimSteps(mine.runId, steps("1", "2", "3", "4", "5", "6")).claimed).toEqual(
      steps("1", "2", "3", "6"),
    );
    expect(storage.getRun(crashed.runId)?.status).toBe("interrupted");
    expect(storage.getRun(finished.runId)?.status).toBe("succeeded");
    expect(storage.claimStep("squares", "1", live.runId)).toBe(false);
  });

  it("claims nothing for an empty list, and rejects a run that does not exist", () => {
    const run = createTestRun(storage);
    expect(storage.claimSteps(run.runId, [])).toEqual({ claimed: [], held: [], materialized: [] });
    expect(() => storage.claimSteps("ghost", steps("1"))).toThrow(/run ghost does not exist/);
    expect(storage.claimStep("squares", "1", run.runId)).toBe(true);
  });
});
