import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";

/** The part of the WHATWG `fetch` signature the `openai` SDK calls. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpFetchOptions {
  /** Sockets kept open per origin between calls (default 256: one per call in flight). */
  maxFreeSockets?: number;
}

// Statuses whose Response must have a null body.
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for the `openai` SDK built on node:http(s) with keep-alive agents. Each call costs
 * the event loop a fraction of undici's fetch (no Request object, no web streams while the body
 * arrives), which matters with thousands of short calls in one run. The body is read in full
 * before the promise resolves, so the SDK's timeout covers the whole response, body included.
 * No redirects are followed (an API answering 3xx is misconfigured; the status reaches the caller).
 */
export function createHttpFetch(options: HttpFetchOptions = {}): FetchLike {
  const agentOptions = { keepAlive: true, maxFreeSockets: options.maxFreeSockets ?? 256 };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  return (input, init = {}) => {
    const url = typeof input === "string" ? new URL(input) : input;
    if (!(url instanceof URL)) return Promise.reject(new TypeError("http fetch takes a URL string or URL"));
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return Promise.reject(new TypeError(`http fetch cannot fetch ${url.protocol} URLs`));
    }
    const body = requestBody(init.body);
    if (body instanceof TypeError) return Promise.reject(body);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | undefined, response?: Response) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(response as Response);
      };
      const onAbort = () => settle(abortError());
      const headers = requestHeaders(init.headers);
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      const req = transport.request(url, {
        method: init.method ?? "GET",
        headers,
        agent: agents[url.protocol as "http:" | "https:"],
      });
      req.on("error", (err) => settle(err));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err) => settle(err));
        res.on("close", () => {
          if (!res.complete) settle(new Error("connection closed before the response body was complete"));
        });
        res.on("end", () => {
          decode(Buffer.concat(chunks), res.headers["content-encoding"], (err, data) => {
            if (err) return settle(err);
            try {
              settle(undefined, toResponse(res, data));
            } catch (buildErr) {
              // A status or header a Response cannot carry: report it as a failed request.
              settle(buildErr as Error);
            }
          });
        });
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end(body);
    });
  };
}

function abortError(): DOMException {
  return new DOMException("This operation was aborted", "AbortError");
}

function requestBody(body: RequestInit["body"]): string | Uint8Array | undefined | TypeError {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) return body.toString();
  return new TypeError("http fetch sends string or byte bodies only");
}

function requestHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      out[name] = value;
    });
  } else if (Array.isArray(init)) {
    for (const [name, value] of init) out[name.toLowerCase()] = value;
  } else {
    for (const [name, value] of Object.entries(init)) out[name.toLowerCase()] = value;
  }
  return out;
}

function decode(
  data: Buffer,
  encoding: string | undefined,
  done: (err: Error | null, data: Buffer) => void,
): void {
  const enc = encoding?.trim().toLowerCase();
  if (enc === "gzip" || enc === "x-gzip") zlib.gunzip(data, done);
  else if (enc === "deflate") zlib.inflate(data, done);
  else if (enc === "br") zlib.brotliDecompress(data, done);
  else done(null, data);
}

function toResponse(res: http.IncomingMessage, data: Buffer): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const status = res.statusCode ?? 0;
  return new Response(NULL_BODY.has(status) ? null : data, {
    status,
    statusText: res.statusMessage ?? "",
    headers,
  });
}
