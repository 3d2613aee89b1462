import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Instance, materialize, openInstance } from "@daydream/core";
import { afterEach, beforeEach, expect, it } from "vitest";
import { helloDefinitions, numberPartitions } from "./definitions.ts";

let dir: string;
let instance: Instance;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hello-example-"));
  instance = openInstance(path.join(dir, "home"));
});
afterEach(() => {
  instance.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("registers numbers as partitions, squares each one and sums the squares", async () => {
  const defs = helloDefinitions({ dataDir: path.join(dir, "data") });
  const runConfig = { assets: { numbers: { count: 4 } } };

  const first = await materialize(defs, { instance, selection: "numbers", runConfig });
  expect(first.status).toBe("succeeded");
  expect(instance.getDynamicPartitions(numberPartitions)).toEqual(["1", "2", "3", "4"]);

  const squares = await materialize(defs, { instance, selection: "squared", partitions: "all" });
  expect(squares).toMatchObject({ status: "succeeded", totalSteps: 4 });
  expect(JSON.parse(fs.readFileSync(path.join(dir, "data", "squared", "3.json"), "utf8"))).toBe(9);

  const sum = await materialize(defs, { instance, selection: "total" });
  expect(sum.status).toBe("succeeded");
  expect(JSON.parse(fs.readFileSync(path.join(dir, "data", "total.json"), "utf8"))).toBe(1 + 4 + 9 + 16);
  expect(instance.storage.getAssetPartitionState("total")?.metadata).toEqual({ terms: 4 });
});

it("runs only the new partitions once more numbers are registered", async () => {
  const defs = helloDefinitions({ dataDir: path.join(dir, "data") });
  await materialize(defs, {
    instance,
    selection: "numbers",
    runConfig: { assets: { numbers: { count: 2 } } },
  });
  await materialize(defs, { instance, selection: "squared", partitions: "all" });
  await materialize(defs, {
    instance,
    selection: "numbers",
    runConfig: { assets: { numbers: { count: 5 } } },
  });

  const missing = await materialize(defs, { instance, selection: "squared,total", partitions: "missing" });
  expect(missing).toMatchObject({ status: "succeeded", totalSteps: 4 });
  expect(JSON.parse(fs.readFileSync(path.join(dir, "data", "total.json"), "utf8"))).toBe(55);
});
