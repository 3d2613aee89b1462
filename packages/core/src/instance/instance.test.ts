import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dynamicPartitions } from "../definitions/partitions.ts";
import { StorageError } from "../errors.ts";
import { resolveAssetsHome } from "./assets-home.ts";
import { openInstance, sqliteStorageOf } from "./instance.ts";
import { exitedPid } from "./testing/processes.ts";
import { createTestRun } from "./testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "./testing/temp-dirs.ts";

let dir: string;

beforeEach(() => {
  dir = makeTempDir();
});

afterEach(() => removeTempDir(dir));

describe("openInstance", () => {
  it("creates the home, its logs directory and instance.db", () => {
    const home = path.join(dir, "nested", ".assets");
    const instance = openInstance(home);
    try {
      expect(instance.home).toBe(home);
      expect(instance.logsDir).toBe(path.join(home, "logs"));
      expect(instance.storageLocation).toBe(path.join(home, "instance.db"));
      expect(fs.statSync(instance.logsDir).isDirectory()).toBe(true);
      expect(fs.statSync(instance.storageLocation).isFile()).toBe(true);
      expect(instance.logPathFor("3f2a-9c")).toBe(path.join(home, "logs", "3f2a-9c.jsonl"));
    } finally {
      instance.close();
    }
  });

  it("resolves a relative home to an absolute path", () => {
    const instance = openInstance(path.relative(process.cwd(), path.join(dir, "rel")));
    instance.close();
    expect(instance.home).toBe(path.join(dir, "rel"));
  });

  it("refuses run ids that would put a log file outside the logs directory", () => {
    const instance = openInstance(dir);
    try {
      expect(() => instance.logPathFor("../escape")).toThrow(StorageError);
      expect(() => instance.logPathFor("a/b")).toThrow(/cannot name a log file/);
      expect(() => instance.logPathFor("")).toThrow(StorageError);
    } finally {
      instance.close();
    }
  });

  it("manages dynamic partitions by definition or by name", () => {
    const gens = dynamicPartitions("gens");
    const instance = openInstance(dir);
    try {
      expect(instance.addDynamicPartitions(gens, ["b", "a"])).toBe(2);
      expect(instance.addDynamicPartitions("gens", ["a", "c"])).toBe(1);
      expect(instance.getDynamicPartitions(gens)).toEqual(["b", "a", "c"]);
      expect(instance.getDynamicPartitions("gens", { offset: 1, limit: 1 })).toEqual(["a"]);
      expect(instance.hasDynamicPartition(gens, "c")).toBe(true);
      expect(instance.countDynamicPartitions("gens")).toBe(3);
      expect(instance.deleteDynamicPartitions(gens, ["b"])).toBe(1);
      expect(instance.storage.getDynamicPartitions("gens")).toEqual(["a", "c"]);
    } finally {
      instance.close();
    }
  });

  it("keeps runs and partitions across close and reopen, and close is idempotent", () => {
    const first = openInstance(dir);
    const run = createTestRun(first.storage, { status: "succeeded" });
    first.addDynamicPartitions("gens", ["k"]);
    first.close();
    first.close();
    const second = openInstance(dir);
    try {
      expect(second.storage.getRun(run.runId)?.status).toBe("succeeded");
      expect(second.getDynamicPartitions("gens")).toEqual(["k"]);
      expect(sqliteStorageOf(second)?.integrityCheck()).toBe("ok");
    } finally {
      second.close();
    }
  });

  it("marks a run left started by a dead process interrupted when opened", () => {
    const first = openInstance(dir);
    const crashed = createTestRun(first.storage, { status: "started", pid: exitedPid() });
    const live = createTestRun(first.storage, { status: "started" });
    first.close();
    const second = openInstance(dir);
    try {
      expect(second.storage.getRun(crashed.runId)?.status).toBe("interrupted");
      expect(second.storage.getRun(live.runId)?.status).toBe("started");
    } finally {
      second.close();
    }
  });
});

describe("resolveAssetsHome", () => {
  it("defaults to .assets under the project root", () => {
    expect(resolveAssetsHome("/srv/project", {})).toBe("/srv/project/.assets");
  });

  it("lets $ASSETS_HOME win over the project root and the configured home", () => {
    expect(resolveAssetsHome("/srv/project", { ASSETS_HOME: "/data/home" }, "custom")).toBe("/data/home");
  });

  it("resolves a relative $ASSETS_HOME against the current directory", () => {
    expect(resolveAssetsHome("/srv/project", { ASSETS_HOME: "rel/home" })).toBe(path.resolve("rel/home"));
  });

  it("resolves a configured home against the project root and ignores an empty $ASSETS_HOME", () => {
    expect(resolveAssetsHome("/srv/project", { ASSETS_HOME: "" }, "state/.assets")).toBe(
      "/srv/project/state/.assets",
    );
  });

  it("returns an absolute path for a relative project root", () => {
    expect(resolveAssetsHome("proj", {})).toBe(path.resolve("proj", ".assets"));
  });
});
