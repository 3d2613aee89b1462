/**
 * The UI server: static front end, JSON API under /api/, the access rule for
 * changes, and clean shutdown (runs launched here are canceled first).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type Definitions, InspectionCache, loadDefinitions } from "@daydream/core";
import { registerAssetRoutes } from "./api/assets.ts";
import { registerCohortRoutes } from "./api/cohorts.ts";
import { registerLineageRoutes } from "./api/lineage.ts";
import { registerRunRoutes } from "./api/runs.ts";
import type { UiContext, UiInstance } from "./context.ts";
import { HttpError, notFound, UiConfigError } from "./errors.ts";
import { accessPolicy, checkRequest, type GuardOptions } from "./http/guard.ts";
import { errorResponse, readJsonBody, sendJson } from "./http/respond.ts";
import { isStatusResult, Router, STREAMED } from "./http/router.ts";
import { sendStaticFile, staticFileFor } from "./http/static.ts";
import { RunLauncher } from "./runs/launcher.ts";
import { SelectionCache } from "./selection-cache.ts";

export interface UiServerOptions {
  /** A definitions module to load (like the CLI's -f); or pass `definitions` directly. */
  definitionsFile?: string;
  definitions?: Definitions;
  instance: UiInstance;
  projectRoot: string;
  /** DayDreaming data root; default $DD_DATA_ROOT or `<projectRoot>/data`. */
  dataRoot?: string;
  /** Default 127.0.0.1. Any other address requires the token for changes. */
  host?: string;
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Token for state-changing requests; generated when binding beyond loopback without one. */
  token?: string;
  /** How often live run streams poll storage (ms). Default 500. */
  streamIntervalMs?: number;
}

export interface UiServer {
  url: string;
  host: string;
  port: number;
  /** The token state-changing requests need, or undefined when none is required. */
  token: string | undefined;
  /** Warnings to show the user at start-up (e.g. binding beyond loopback). */
  warnings: string[];
  close(): Promise<void>;
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const definitions = await resolveDefinitions(opts);
  const host = opts.host ?? "127.0.0.1";
  const policy = accessPolicy(host, opts.token);
  const dataRoot = opts.dataRoot ?? path.resolve(opts.projectRoot, process.env.DD_DATA_ROOT ?? "data");
  const ctx: UiContext = {
    definitions,
    definitionsFile: opts.definitionsFile === undefined ? undefined : path.resolve(opts.definitionsFile),
    instance: opts.instance,
    storage: opts.instance.storage,
    projectRoot: opts.projectRoot,
    dataRoot,
    launcher: new RunLauncher(definitions, opts.instance),
    selections: new SelectionCache(definitions),
    inspections: new InspectionCache(),
  };
  const router = buildRouter(ctx, {
    streamIntervalMs: opts.streamIntervalMs ?? 500,
    tokenRequired: policy.token !== undefined,
  });
  const server = createServer((req, res) => {
    void handle(req, res, router, policy);
  });
  await listen(server, host, opts.port ?? 3000);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    token: policy.token,
    warnings: policy.warnings,
    close: async () => {
      await ctx.launcher.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function resolveDefinitions(opts: UiServerOptions): Promise<Definitions> {
  if (opts.definitions !== undefined) return opts.definitions;
  if (opts.definitionsFile !== undefined) return loadDefinitions(opts.definitionsFile);
  throw new UiConfigError("startUiServer needs definitions or definitionsFile", {
    hint: "pass { definitionsFile: 'path/to/definitions.ts' }",
  });
}

function buildRouter(ctx: UiContext, opts: { streamIntervalMs: number; tokenRequired: boolean }): Router {
  const router = new Router();
  router.get("/api/health", () => ({ ok: true }));
  router.get("/api/meta", () => ({
    projectRoot: ctx.projectRoot,
    definitionsFile: ctx.definitionsFile ?? null,
    dataRoot: ctx.dataRoot,
    assetCount: ctx.definitions.assets.size,
    tokenRequired: opts.tokenRequired,
  }));
  registerAssetRoutes(router, ctx);
  registerRunRoutes(router, ctx, opts);
  registerCohortRoutes(router, ctx);
  registerLineageRoutes(router, ctx);
  return router;
}

async function handle(req: IncomingMessage, res: ServerResponse, router: Router, guard: GuardOptions) {
  const started = performance.now();
  try {
    const url = new URL(req.url ?? "/", "http://ui.invalid");
    const method = req.method ?? "GET";
    if (!url.pathname.startsWith("/api/")) return serveStatic(res, url.pathname, method);
    checkRequest(req, guard);
    const match = router.match(method, url.pathname);
    if (match === "method") {
      throw new HttpError(405, "method_not_allowed", `${method} is not allowed on ${url.pathname}`, {
        hint: "see docs/ui.md for each endpoint's method",
      });
    }
    if (match === undefined)
      throw notFound(`endpoint ${url.pathname}`, { hint: "see docs/ui.md for the endpoints" });
    const body = method === "POST" ? await readJsonBody(req, { required: match.bodyRequired }) : undefined;
    const result = await match.handler({
      method,
      path: url.pathname,
      params: match.params,
      query: url.searchParams,
      body,
      raw: req,
      res,
    });
    if (result === STREAMED) return;
    const elapsed = performance.now() - started;
    if (isStatusResult(result)) sendJson(res, result.status, result.body, elapsed);
    else sendJson(res, 200, result, elapsed);
  } catch (err) {
    if (res.headersSent) {
      res.destroy(err instanceof Error ? err : undefined);
      return;
    }
    const { status, body } = errorResponse(err);
    sendJson(res, status, body, performance.now() - started);
  }
}

function serveStatic(res: ServerResponse, pathname: string, method: string): void {
  if (method !== "GET" && method !== "HEAD") {
    throw new HttpError(405, "method_not_allowed", `${method} is not allowed on ${pathname}`);
  }
  const file = staticFileFor(pathname);
  if (file === undefined) throw notFound(`file ${pathname}`, { hint: "the UI lives at /" });
  sendStaticFile(res, file, method === "HEAD");
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new UiConfigError(`cannot listen on ${host}:${port}: ${err.message}`, {
          context: { host, port },
          hint: err.code === "EADDRINUSE" ? "pick another port with --port" : "check the --host address",
          cause: err,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
}
