/**
 * A child process of the storage race tests (run with tsx):
 *   storage-child.ts <opener module> <location> <task JSON>
 * It opens the storage (except for the "open" task, whose opening is the race), prints "ready",
 * waits for "go" on stdin, does its task, prints the result as one JSON line, and exits when
 * stdin closes: its run stays live (its process exists) until every child has reported.
 */
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { currentHost } from "../../../process-liveness.ts";
import type { Storage } from "../../../types.ts";
import type { ChildOpener } from "../harness.ts";
import {
  type ChildTask,
  type ClaimResult,
  type ComputeResult,
  raceKey,
  type SemaphoreResult,
} from "./tasks.ts";

const [openerPath, location, taskJson] = process.argv.slice(2);
const task = JSON.parse(taskJson) as ChildTask;
const { openStorage } = (await import(pathToFileURL(openerPath).href)) as ChildOpener;
const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function waitFor(word: string): Promise<void> {
  const line = await stdin.next();
  if (line.done || line.value !== word)
    throw new Error(`expected "${word}" on stdin, got ${JSON.stringify(line.value)}`);
}

function claim(storage: Storage, t: Extract<ChildTask, { kind: "claim" }>): ClaimResult {
  const result: ClaimResult = { claimed: [], held: [] };
  const keys = Array.from({ length: t.to - t.from }, (_, i) => raceKey(t.from + i));
  if (t.reverse) keys.reverse();
  for (let start = 0; start < keys.length; start += t.batch) {
    const batch = keys
      .slice(start, start + t.batch)
      .map((partitionKey) => ({ assetKey: t.assetKey, partitionKey }));
    const outcome = storage.claimSteps(t.runId, batch);
    result.claimed.push(...outcome.claimed.map((s) => s.partitionKey));
    result.held.push(
      ...outcome.held.map((h) => ({ partitionKey: h.step.partitionKey, holderRunId: h.holder.runId })),
    );
  }
  return result;
}

/** The exactly-once loop of a `missing` run, reduced to its storage calls. */
async function compute(storage: Storage, t: Extract<ChildTask, { kind: "compute" }>): Promise<ComputeResult> {
  const result: ComputeResult = { computed: [], doneElsewhere: [] };
  let pending = Array.from({ length: t.count }, (_, i) => raceKey(i));
  if (t.reverse) pending.reverse();
  while (pending.length > 0) {
    const stillHeld: string[] = [];
    for (let start = 0; start < pending.length; start += t.batch) {
      const batch = pending
        .slice(start, start + t.batch)
        .map((partitionKey) => ({ assetKey: t.assetKey, partitionKey }));
      const outcome = storage.claimSteps(t.runId, batch, { skipMaterialized: true });
      if (outcome.claimed.length > 0) {
        const at = new Date().toISOString();
        storage.appendEvents(
          outcome.claimed.map((step) => ({
            runId: t.runId,
            type: "materialization" as const,
            assetKey: step.assetKey,
            partitionKey: step.partitionKey,
            timestamp: at,
            metadata: { by: t.runId },
          })),
        );
        storage.releaseSteps(t.runId, outcome.claimed);
      }
      result.computed.push(...outcome.claimed.map((s) => s.partitionKey));
      result.doneElsewhere.push(...outcome.materialized.map((s) => s.partitionKey));
      stillHeld.push(...outcome.held.map((h) => h.step.partitionKey));
    }
    pending = stillHeld;
    // Held steps are being computed by the other process: ask again shortly.
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return result;
}

/** Takes and gives back one slot at a time, asking again every 2 ms while the semaphore is full. */
async function holdSlots(
  storage: Storage,
  t: Extract<ChildTask, { kind: "semaphore" }>,
): Promise<SemaphoreResult> {
  const result: SemaphoreResult = { holds: [], refused: 0 };
  while (result.holds.length < t.holds) {
    if (storage.acquireSlots(t.runId, t.name, t.limit) === 0) {
      result.refused++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      continue;
    }
    const taken = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, t.holdMs));
    result.holds.push([String(taken), String(process.hrtime.bigint())]);
    storage.releaseSlots(t.runId, t.name, 1);
  }
  return result;
}

let storage: Storage | undefined;
if (task.kind !== "open") storage = openStorage(location);
if (task.kind === "claim" || task.kind === "compute" || task.kind === "semaphore") {
  storage!.createRun({
    runId: task.runId,
    status: "started",
    selection: task.kind === "semaphore" ? task.name : task.assetKey,
    partitionsSummary: "race",
    stepCount: 0,
    pid: process.pid,
    host: currentHost(),
    tags: {},
  });
}
send({ ready: true });
await waitFor("go");
switch (task.kind) {
  case "add-partitions": {
    const keys = Array.from({ length: task.count }, (_, i) => raceKey(i));
    if (task.reverse) keys.reverse();
    send({ added: storage!.addDynamicPartitions(task.name, keys) });
    break;
  }
  case "claim":
    send(claim(storage!, task));
    break;
  case "compute":
    send(await compute(storage!, task));
    break;
  case "semaphore":
    send(await holdSlots(storage!, task));
    break;
  case "open": {
    storage = openStorage(location);
    storage.createRun({
      runId: task.runId,
      status: "succeeded",
      selection: "*",
      partitionsSummary: "all",
      stepCount: 0,
      pid: process.pid,
      host: currentHost(),
      tags: {},
    });
    storage.addDynamicPartitions("openers", [task.runId]);
    send({ opened: true });
    break;
  }
}
// Stay alive (and so keep this run's claims live) until the parent has every child's result.
while (!(await stdin.next()).done) {}
storage?.close();
