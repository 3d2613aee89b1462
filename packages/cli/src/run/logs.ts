/** `assets logs RUN_ID [--follow] [--raw]`: a run's structured log, pretty-printed. */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as sleep } from "node:timers/promises";
import type { Instance } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK, UsageError } from "../errors.ts";
import { paintOut } from "../output/colors.ts";
import { prettyLogLine } from "../output/log-line.ts";
import { projectFor, withInstance } from "../session.ts";
import { requireRun } from "./runs.ts";

const POLL_MS = 250;
const CHUNK = 1 << 16;

/** Reads a growing file from an offset, handing out complete lines only. */
class LineTail {
  private offset = 0;
  private partial = "";
  private readonly buffer = Buffer.alloc(CHUNK);
  // keeps a multi-byte character split across two reads intact
  private readonly decoder = new StringDecoder("utf8");

  constructor(private readonly file: string) {}

  /** Complete lines appended since the last call. */
  read(): string[] {
    if (!existsSync(this.file)) return [];
    const fd = openSync(this.file, "r");
    let text = "";
    try {
      for (;;) {
        const n = readSync(fd, this.buffer, 0, CHUNK, this.offset);
        if (n === 0) break;
        this.offset += n;
        text += this.decoder.write(this.buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    return lines.filter((l) => l !== "");
  }

  /** Whatever is left after the writer is done (a last line without a newline). */
  rest(): string[] {
    const lines = this.read();
    if (this.partial !== "") lines.push(this.partial);
    this.partial = "";
    return lines;
  }
}

function isLive(instance: Instance, runId: string): boolean {
  const status = instance.storage.getRun(runId)?.status;
  return status === "started" || status === "queued";
}

export async function runLogs(
  runId: string,
  opts: { follow?: boolean; raw?: boolean },
  cmd: Command,
): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const print = (lines: string[]) => {
    if (lines.length === 0) return;
    const text = opts.raw ? lines : lines.map((l) => prettyLogLine(l, paintOut));
    process.stdout.write(`${text.join("\n")}\n`);
  };
  await withInstance(project, async (instance) => {
    requireRun(instance, runId);
    const file = instance.logPathFor(runId);
    const tail = new LineTail(file);
    if (!opts.follow) {
      if (!existsSync(file)) {
        throw new UsageError(`no log file for run ${runId}`, {
          context: { run: runId, file },
          hint: "the run may not have started yet, or its logs were removed; try --follow for a queued run",
        });
      }
      print(tail.rest());
      return;
    }
    // follow until the run has ended, then drain what the writer flushed last
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.once("SIGINT", onSignal);
    try {
      while (!stop && isLive(instance, runId)) {
        print(tail.read());
        await sleep(POLL_MS);
      }
      print(tail.rest());
    } finally {
      process.off("SIGINT", onSignal);
    }
  });
  return EXIT_OK;
}
