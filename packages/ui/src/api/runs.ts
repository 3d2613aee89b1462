/** /api/runs: list, detail with steps and failures, events, log (polling or SSE), launch and cancel. */
import { RUN_STATUSES } from "@daydream/core";
import type { UiContext } from "../context.ts";
import { HttpError, notFound } from "../errors.ts";
import { enumParam, intParam } from "../http/query.ts";
import { type Router, STREAMED, withStatus } from "../http/router.ts";
import { parseLaunchRequest } from "../runs/launch-request.ts";
import { readLogChunk, readLogTail } from "../runs/log-reader.ts";
import { type StepStatus, StepsCache } from "../runs/steps-index.ts";
import { streamRun } from "../runs/stream.ts";

const STEP_STATUSES: readonly StepStatus[] = ["running", "succeeded", "failed", "skipped", "canceled"];
const MAX_FAILURES_SHOWN = 100;
/** Runs left `started` by dead processes are re-checked at most this often. */
const DEAD_RUN_CHECK_MS = 5_000;

export function registerRunRoutes(router: Router, ctx: UiContext, opts: { streamIntervalMs: number }): void {
  const steps = new StepsCache(ctx.storage);
  let lastDeadRunCheck = 0;

  const runOr404 = (runId: string) => {
    const run = ctx.storage.getRun(runId);
    if (run === undefined) {
      throw notFound(`run "${runId}"`, { context: { run: runId }, hint: "list the runs at /api/runs" });
    }
    return run;
  };

  router.get("/api/runs", ({ query }) => {
    if (Date.now() - lastDeadRunCheck > DEAD_RUN_CHECK_MS) {
      ctx.storage.markDeadRunsInterrupted();
      lastDeadRunCheck = Date.now();
    }
    const runs = ctx.storage.listRuns({
      limit: intParam(query, "limit", { default: 50, min: 1, max: 1000 }),
      status: enumParam(query, "status", RUN_STATUSES),
    });
    return { runs: runs.map((run) => ({ ...run, live: ctx.launcher.isActive(run.runId) })) };
  });

  router.postJson("/api/runs", async ({ body }) => {
    const request = parseLaunchRequest(body);
    ctx.selections.resolve(request.selection);
    const { runId } = await ctx.launcher.launch(request);
    return withStatus(202, { runId, run: ctx.storage.getRun(runId) ?? null });
  });

  router.get("/api/runs/:runId", ({ params }) => {
    const run = runOr404(params.runId);
    const index = steps.get(run.runId);
    const counts = index.counts();
    const failed = index.page({ offset: 0, limit: MAX_FAILURES_SHOWN, status: "failed" });
    return {
      run,
      live: ctx.launcher.isActive(run.runId),
      crash: ctx.launcher.crashOf(run.runId) ?? null,
      counts: {
        ...counts,
        pending: Math.max(
          0,
          run.stepCount -
            counts.succeeded -
            counts.failed -
            counts.skipped -
            counts.canceled -
            counts.running,
        ),
      },
      failures: failed.items.map((s) => ({
        assetKey: s.assetKey,
        partitionKey: s.partitionKey,
        error: s.error,
      })),
      failuresTotal: failed.total,
      lastEventId: index.lastStepEventId,
      logPath: ctx.instance.logPathFor(run.runId),
    };
  });

  router.get("/api/runs/:runId/steps", ({ params, query }) => {
    const run = runOr404(params.runId);
    const offset = intParam(query, "offset", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const limit = intParam(query, "limit", { default: 100, min: 1, max: 1000 });
    const page = steps
      .get(run.runId)
      .page({ offset, limit, status: enumParam(query, "status", STEP_STATUSES) });
    return { runId: run.runId, offset, limit, ...page };
  });

  router.get("/api/runs/:runId/events", ({ params, query }) => {
    const run = runOr404(params.runId);
    const events = ctx.storage.getEvents(run.runId, {
      afterId: intParam(query, "after", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
      limit: intParam(query, "limit", { default: 500, min: 1, max: 5000 }),
    });
    const lastEventId = events.length > 0 ? (events[events.length - 1].id ?? null) : null;
    return { runId: run.runId, status: run.status, events, lastEventId };
  });

  router.get("/api/runs/:runId/log", ({ params, query }) => {
    const run = runOr404(params.runId);
    const file = ctx.instance.logPathFor(run.runId);
    const tail = intParam(query, "tail", { default: 0, min: 0, max: 256 * 1024 });
    if (tail > 0) return { runId: run.runId, status: run.status, ...readLogTail(file, tail) };
    const offset = intParam(query, "offset", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    return { runId: run.runId, status: run.status, ...readLogChunk(file, offset) };
  });

  router.get("/api/runs/:runId/stream", ({ params, query, res }) => {
    const run = runOr404(params.runId);
    streamRun(res, {
      storage: ctx.storage,
      runId: run.runId,
      logPath: ctx.instance.logPathFor(run.runId),
      afterEventId: intParam(query, "after", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
      logOffset: intParam(query, "logOffset", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
      intervalMs: opts.streamIntervalMs,
      isLive: () => ctx.launcher.isActive(run.runId),
    });
    return STREAMED;
  });

  router.post("/api/runs/:runId/cancel", async ({ params }) => {
    const run = runOr404(params.runId);
    if (ctx.launcher.cancel(run.runId)) return withStatus(202, { runId: run.runId, canceling: true });
    if (run.tags.executor === "queue" && (run.status === "queued" || run.status === "started")) {
      // Loaded only for queued runs: the queue executor brings graphile-worker.
      const { cancelQueuedRun } = await import("@daydream/queue");
      const canceled = await cancelQueuedRun(ctx.instance, run.runId);
      return withStatus(202, { ...canceled, canceling: true });
    }
    if (run.status === "started" || run.status === "queued") {
      throw new HttpError(
        409,
        "not_launched_here",
        `run ${run.runId} is running in another process (pid ${run.pid})`,
        {
          context: { run: run.runId, pid: run.pid, host: run.host },
          hint: "stop it where it runs (Ctrl-C in its terminal); the UI cancels the runs it launched",
        },
      );
    }
    throw new HttpError(409, "run_ended", `run ${run.runId} has already ended (${run.status})`, {
      context: { run: run.runId, status: run.status },
      hint: "launch a new run to materialize again",
    });
  });
}
