/**
 * Server-sent events for a run page: new step events, run status changes and
 * new log lines, polled from storage and the log file every `intervalMs`. The
 * stream ends (event `end`) once the run is over and everything was sent.
 */
import type { ServerResponse } from "node:http";
import type { RunRecord, Storage } from "@daydream/core";
import { readLogChunk } from "./log-reader.ts";

const TERMINAL = new Set<RunRecord["status"]>(["succeeded", "failed", "canceled", "interrupted"]);
const EVENTS_PER_TICK = 1_000;
const HEARTBEAT_MS = 15_000;

export interface RunStreamOptions {
  storage: Storage;
  runId: string;
  logPath: string;
  afterEventId: number;
  logOffset: number;
  intervalMs: number;
  /** Called on every tick: a run launched by this server is live even before its status is written. */
  isLive: () => boolean;
}

export function streamRun(res: ServerResponse, opts: RunStreamOptions): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
  });
  let afterId = opts.afterEventId;
  let logOffset = opts.logOffset;
  let lastStatus: string | undefined;
  let lastWrite = Date.now();
  const send = (event: string, data: unknown) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    lastWrite = Date.now();
  };

  const tick = () => {
    const run = opts.storage.getRun(opts.runId);
    if (run === undefined) return finish();
    if (run.status !== lastStatus) {
      lastStatus = run.status;
      send("run", run);
    }
    const events = opts.storage.getEvents(opts.runId, { afterId, limit: EVENTS_PER_TICK });
    if (events.length > 0) {
      afterId = events[events.length - 1].id ?? afterId;
      // Metadata can be large; the page refetches details it needs.
      send("events", {
        events: events.map(({ metadata: _metadata, ...rest }) => rest),
        lastEventId: afterId,
      });
    }
    const log = readLogChunk(opts.logPath, logOffset);
    if (log.lines.length > 0) {
      logOffset = log.nextOffset;
      send("log", log);
    }
    const caughtUp = events.length < EVENTS_PER_TICK && log.nextOffset >= log.size;
    if (TERMINAL.has(run.status) && caughtUp && !opts.isLive()) return finish();
    if (Date.now() - lastWrite > HEARTBEAT_MS) {
      res.write(": keep-alive\n\n");
      lastWrite = Date.now();
    }
  };

  const timer = setInterval(tick, opts.intervalMs);
  const finish = () => {
    clearInterval(timer);
    send("end", { runId: opts.runId, lastEventId: afterId, logOffset });
    res.end();
  };
  res.on("close", () => clearInterval(timer));
  tick();
}
