/**
 * A minimal method + path router: patterns like `/api/runs/:runId/log`,
 * parameters URL-decoded. Enough for a dozen endpoints without a framework.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest } from "../errors.ts";

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (POST only); undefined when there is none. */
  body: unknown;
  raw: IncomingMessage;
  res: ServerResponse;
}

/**
 * A handler returns the JSON document to send (status 200, or `status` when
 * wrapped with `withStatus`), or `STREAMED` when it wrote the response itself.
 */
export type Handler = (req: ApiRequest) => unknown | Promise<unknown>;

export const STREAMED = Symbol("streamed");

export interface StatusResult {
  readonly kind: "status";
  readonly status: number;
  readonly body: unknown;
}

export function withStatus(status: number, body: unknown): StatusResult {
  return { kind: "status", status, body };
}

export function isStatusResult(value: unknown): value is StatusResult {
  return typeof value === "object" && value !== null && (value as StatusResult).kind === "status";
}

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
  bodyRequired: boolean;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
  bodyRequired: boolean;
}

export class Router {
  private readonly routes: Route[] = [];

  get(pattern: string, handler: Handler): this {
    return this.add("GET", pattern, handler);
  }

  /** A POST whose body, if any, must be JSON. */
  post(pattern: string, handler: Handler): this {
    return this.add("POST", pattern, handler, false);
  }

  /** A POST that must carry a JSON body: one without is refused (400) before the handler runs. */
  postJson(pattern: string, handler: Handler): this {
    return this.add("POST", pattern, handler, true);
  }

  private add(method: string, pattern: string, handler: Handler, bodyRequired = false): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, bodyRequired });
    return this;
  }

  /** The matching route, `"method"` when only the method differs, or undefined. */
  match(method: string, pathname: string): RouteMatch | "method" | undefined {
    const parts = pathname.split("/").filter(Boolean);
    let methodMismatch = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === undefined) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { handler: route.handler, params, bodyRequired: route.bodyRequired };
    }
    return methodMismatch ? "method" : undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    if (expected.startsWith(":")) {
      params[expected.slice(1)] = decodeSegment(parts[i]);
    } else if (expected !== parts[i]) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw badRequest(`malformed URL segment "${segment}"`, {
      hint: "percent-encode path segments (encodeURIComponent)",
      cause,
    });
  }
}
