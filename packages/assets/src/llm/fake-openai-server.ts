import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { offlineCompletionText } from "./offline-client.ts";

/**
 * A small OpenAI-compatible chat-completions server for tests and benchmarks, bound to
 * 127.0.0.1 on a random port. Each request takes the next queued behaviour, else the default.
 */
export type FakeBehaviour =
  | {
      kind: "ok";
      text?: string;
      finishReason?: string | null;
      usage?: Record<string, number> | null;
      delayMs?: number;
    }
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Never answers (headers never sent) until the client gives up or the server closes. */
  | { kind: "hang" }
  /** Sends headers, then never finishes the body. */
  | { kind: "hang-body" }
  /** `application/json` content type with a body that is not JSON. */
  | { kind: "malformed" }
  /** A 200 with any JSON body (e.g. without `choices`). */
  | { kind: "json"; body: unknown };

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (the raw string when it was not JSON). */
  body: unknown;
  model: string | undefined;
  receivedAt: number;
}

export interface FakeOpenAiServerOptions {
  /** Delay before every answer that has no delay of its own, in ms. */
  delayMs?: number;
  /** Used when the queue is empty; default: `ok` with the offline client's text for the prompt. */
  defaultBehaviour?: FakeBehaviour;
  /** Keep every request in `requests` (default true). */
  recordRequests?: boolean;
  /**
   * A provider's rate limit: a request arriving while this many are already in flight (all
   * models) is answered 429 at once, with `Retry-After: retryAfterSeconds` when given.
   */
  maxInFlight?: number;
  retryAfterSeconds?: number;
}

export interface FakeOpenAiServer {
  /** Base URL to give the client, e.g. `http://127.0.0.1:54321/v1`. */
  readonly baseUrl: string;
  readonly requests: FakeRequest[];
  /** Behaviours for the next requests, in order. */
  enqueue(...behaviours: FakeBehaviour[]): void;
  /** Highest number of requests in flight at once for `model` (all models when omitted). */
  maxInFlight(model?: string): number;
  inFlight(model?: string): number;
  /** Requests answered 429 because `maxInFlight` were already in flight. */
  rateLimited(): number;
  close(): Promise<void>;
}

export async function startFakeOpenAiServer(
  options: FakeOpenAiServerOptions = {},
): Promise<FakeOpenAiServer> {
  const queue: FakeBehaviour[] = [];
  const requests: FakeRequest[] = [];
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const ALL = "\u0000all";
  let rateLimited = 0;

  const track = (model: string, delta: number) => {
    for (const key of [model, ALL]) {
      const n = (inFlight.get(key) ?? 0) + delta;
      inFlight.set(key, n);
      if (n > (peak.get(key) ?? 0)) peak.set(key, n);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const body = parseJson(raw);
    const model =
      typeof (body as { model?: unknown })?.model === "string" ? (body as { model: string }).model : "";
    if (options.recordRequests !== false) {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        model,
        receivedAt: Date.now(),
      });
    }
    track(model, 1);
    res.on("close", () => track(model, -1));
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      return;
    }
    if (options.maxInFlight !== undefined && (inFlight.get(ALL) ?? 0) > options.maxInFlight) {
      rateLimited++;
      const retryAfter = options.retryAfterSeconds;
      res.writeHead(429, {
        "content-type": "application/json",
        ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }),
      });
      res.end(JSON.stringify({ error: { message: "rate limited: too many requests in flight" } }));
      return;
    }
    const behaviour = queue.shift() ?? options.defaultBehaviour ?? { kind: "ok" };
    respond(res, behaviour, body, model, options.delayMs ?? 0);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => res.destroy(err));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...behaviours) => queue.push(...behaviours),
    maxInFlight: (model) => peak.get(model ?? ALL) ?? 0,
    inFlight: (model) => inFlight.get(model ?? ALL) ?? 0,
    rateLimited: () => rateLimited,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function respond(
  res: ServerResponse,
  behaviour: FakeBehaviour,
  body: unknown,
  model: string,
  delayMs: number,
): void {
  if (behaviour.kind === "hang") return;
  if (behaviour.kind === "hang-body") {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"id":"fake",');
    return;
  }
  const wait = "delayMs" in behaviour && behaviour.delayMs !== undefined ? behaviour.delayMs : delayMs;
  const timer = setTimeout(() => answer(res, behaviour, body, model), wait);
  res.on("close", () => clearTimeout(timer));
}

function answer(res: ServerResponse, behaviour: FakeBehaviour, body: unknown, model: string): void {
  if (res.destroyed) return;
  switch (behaviour.kind) {
    case "status":
      res.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
      res.end(behaviour.body ?? JSON.stringify({ error: { message: `fake status ${behaviour.status}` } }));
      return;
    case "malformed":
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"choices": [ this is not json');
      return;
    case "json":
      send(res, 200, behaviour.body);
      return;
    case "ok": {
      const text = behaviour.text ?? offlineCompletionText(model, lastUserMessage(body));
      const usage =
        behaviour.usage === undefined
          ? { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 }
          : behaviour.usage;
      send(res, 200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: text },
            finish_reason: behaviour.finishReason === undefined ? "stop" : behaviour.finishReason,
          },
        ],
        ...(usage === null ? {} : { usage }),
      });
      return;
    }
    default:
      return;
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Tests may inspect what a client sent even when it was not JSON.
    return raw;
  }
}

function lastUserMessage(body: unknown): string {
  const messages = (body as { messages?: { role?: string; content?: unknown }[] })?.messages;
  if (!Array.isArray(messages)) return "";
  const last = [...messages].reverse().find((m) => m?.role === "user");
  return typeof last?.content === "string" ? last.content : "";
}
