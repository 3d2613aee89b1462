import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import type { Instance } from "../instance/types.ts";
import { materialize } from "./materialize.ts";
import { tempInstance } from "./test-support.ts";

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-run-log-");
  instance = env.instance;
});
afterEach(() => env.cleanup());

/** Polls `file` until it contains `text` or `deadlineMs` passes; returns whether it did. */
async function appears(file: string, text: string, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(text)) return true;
    await sleep(50);
  }
  return false;
}

describe("run log", () => {
  it("reaches the file while the run is still going, not only when it ends", async () => {
    // A step that logs one short line and then waits, as a step waiting on a slow LLM call does:
    // the line is far below the write buffer's size, so only the periodic flush can deliver it.
    let seenDuringRun: boolean | undefined;
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "slow",
          compute: async (ctx) => {
            ctx.log.info("waiting on something slow");
            seenDuringRun = await appears(instance.logPathFor(ctx.runId), "waiting on something slow", 5000);
            return 1;
          },
        }),
      ],
    });
    const summary = await materialize(defs, { instance, selection: "slow" });
    expect(summary.status).toBe("succeeded");
    expect(seenDuringRun).toBe(true);
  });
});
