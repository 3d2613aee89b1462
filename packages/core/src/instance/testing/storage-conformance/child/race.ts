import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { StorageHarness } from "../harness.ts";
import type { ChildTask } from "./tasks.ts";

const CHILD_SCRIPT = path.join(import.meta.dirname, "storage-child.ts");

interface Child {
  process: ChildProcessWithoutNullStreams;
  /** Resolves with each JSON line the child prints, in order. */
  nextMessage(): Promise<Record<string, unknown>>;
  exited: Promise<void>;
}

function startChild(harness: StorageHarness, location: string, task: ChildTask): Child {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CHILD_SCRIPT, harness.childOpener, location, JSON.stringify(task)],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`storage child (${task.kind}) exited with ${code ?? signal}:\n${stderr}`));
    });
  });
  // Awaited by `race`; marked handled here so that a child killed after an earlier failure does
  // not add an unhandled rejection to the error already being reported.
  exited.catch(() => undefined);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    process: child,
    exited,
    async nextMessage() {
      const line = await Promise.race([lines.next(), exited.then(() => ({ done: true, value: undefined }))]);
      if (line.done) throw new Error(`storage child (${task.kind}) ended without a message:\n${stderr}`);
      return JSON.parse(line.value as string) as Record<string, unknown>;
    },
  };
}

/**
 * Runs one child process per task against `location`, all let go at the same moment once each
 * has opened the storage (or, for "open" tasks, is about to), and returns their results in
 * task order. The children stay alive until every one has reported.
 */
export async function race<R>(harness: StorageHarness, location: string, tasks: ChildTask[]): Promise<R[]> {
  const children = tasks.map((task) => startChild(harness, location, task));
  try {
    await Promise.all(children.map((c) => c.nextMessage()));
    for (const child of children) child.process.stdin.write("go\n");
    const results = await Promise.all(children.map((c) => c.nextMessage()));
    for (const child of children) child.process.stdin.end();
    await Promise.all(children.map((c) => c.exited));
    return results as R[];
  } finally {
    for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  }
}
