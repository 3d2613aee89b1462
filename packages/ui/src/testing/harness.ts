/**
 * Test and benchmark support: a UI server on 127.0.0.1 (random port) over a
 * temporary instance, with a small JSON request helper. Not exported from the
 * package index.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Definitions, type Instance, loadDefinitions, openInstance, type Storage } from "@daydream/core";
import { startUiServer, type UiServer } from "../server.ts";

export const FIXTURE_DEFINITIONS = path.resolve(import.meta.dirname, "../../tests/fixtures/definitions.ts");

export interface Harness {
  dir: string;
  instance: Instance;
  definitions: Definitions;
  server: UiServer;
  request(urlPath: string, init?: RequestInit): Promise<JsonResponse>;
  post(urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  close(): Promise<void>;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON documents
  body: any;
  text: string;
}

export async function startHarness(
  opts: {
    definitions?: Definitions;
    dataRoot?: string;
    token?: string;
    streamIntervalMs?: number;
    /** The instance's storage (default: SQLite in the harness's home). */
    storage?: Storage;
  } = {},
): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "assets-ui-"));
  const instance = openInstance(path.join(dir, "home"), opts.storage ? { storage: opts.storage } : {});
  const definitions = opts.definitions ?? (await loadDefinitions(FIXTURE_DEFINITIONS));
  const server = await startUiServer({
    definitions,
    instance,
    projectRoot: dir,
    dataRoot: opts.dataRoot ?? path.join(dir, "data"),
    port: 0,
    token: opts.token,
    streamIntervalMs: opts.streamIntervalMs ?? 50,
  });
  const request = async (urlPath: string, init?: RequestInit): Promise<JsonResponse> => {
    const res = await fetch(new URL(urlPath, server.url), init);
    const text = await res.text();
    const isJson = res.headers.get("content-type")?.startsWith("application/json") && text !== "";
    return { status: res.status, headers: res.headers, body: isJson ? JSON.parse(text) : undefined, text };
  };
  return {
    dir,
    instance,
    definitions,
    server,
    request,
    post: (urlPath, body, headers = {}) =>
      request(urlPath, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    close: async () => {
      await server.close();
      instance.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Launches a run through the API and waits for it to end; returns the run id. */
export async function launchAndWait(h: Harness, body: unknown): Promise<string> {
  const res = await h.post("/api/runs", body);
  if (res.status !== 202) throw new Error(`launch failed: ${res.status} ${res.text}`);
  await waitFor(async () => {
    const run = (await h.request(`/api/runs/${res.body.runId}`)).body;
    return run.live || run.run.status === "started" ? undefined : run;
  });
  return res.body.runId;
}
