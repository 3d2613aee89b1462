import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";
import { BufferedResponse } from "./buffered-response.ts";

/** The part of the WHATWG `fetch` signature the `openai` SDK calls. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// Statuses whose Response must have a null body.
const NULL_BODY = new Set([204, 205, 304]);

/**
 * A `fetch` for the `openai` SDK built on node:http(s) with keep-alive agents (no cap on
 * sockets: the client's per-model gate decides how many calls are in flight). Each call costs
 * the event loop a fraction of undici's fetch (no Request object, no web streams, a buffered
 * Response), which matters with thousands of short calls in one run. The body is read in full
 * before the promise resolves, so the SDK's timeout covers the whole response, body included.
 * Redirects are not followed: an API answering 3xx is misconfigured, and the status says so.
 */
export function createHttpFetch(): FetchLike {
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };
  return (input, init = {}) => {
    if (input instanceof Request)
      return Promise.reject(new TypeError("http fetch takes a URL, not a Request"));
    const url = typeof input === "string" ? new URL(input) : input;
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
              settle(undefined, toResponse(res, url, data));
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

function requestHeaders(init: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      out[name] = value;
    });
  } else if (Array.isArray(init)) {
    for (const [name, value] of init) out[name.toLowerCase()] = value;
  } else {
    for (const [name, value] of Object.entries(init)) {
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
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

function toResponse(res: http.IncomingMessage, url: URL, data: Buffer): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw new RangeError(`HTTP status ${status} is outside 200-599`);
  return new BufferedResponse(NULL_BODY.has(status) ? null : data, {
    status,
    statusText: res.statusMessage ?? "",
    headers,
    url: url.href,
  });
}
