/** Writing JSON and error responses; reading JSON bodies with a size limit. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AssetsError } from "@daydream/core";
import { badRequest, HttpError } from "../errors.ts";

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, serverMs?: number): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  };
  // Server-Timing lets the benchmark (and the browser's devtools) see time spent in the handler.
  if (serverMs !== undefined) headers["server-timing"] = `app;dur=${serverMs.toFixed(2)}`;
  res.writeHead(status, headers);
  res.end(text);
}

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; context?: Record<string, unknown> };
}

/** Maps any thrown value to a status and a JSON error body; never includes a stack. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HttpError) {
    return { status: err.status, body: errorBody(err) };
  }
  if (err instanceof AssetsError) {
    return { status: err.userError ? 400 : 500, body: errorBody(err) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: { code: "internal", message } } };
}

function errorBody(err: AssetsError): ErrorBody {
  const context = Object.fromEntries(Object.entries(err.context).filter(([, v]) => v !== undefined));
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(Object.keys(context).length > 0 ? { context } : {}),
    },
  };
}

/** A content-type header's media type without parameters: "application/json; charset=utf-8" -> "application/json". */
function mediaType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

/**
 * Reads and parses a JSON body; undefined when there is none and none is required.
 * Rejects other content types (this also forces a CORS preflight).
 */
export async function readJsonBody(req: IncomingMessage, opts: { required: boolean }): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, "body_too_large", `request body over ${MAX_BODY_BYTES} bytes`, {
        hint: "send partition lists over 5 MB with the CLI's --partitions-file instead",
      });
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) {
    if (!opts.required) return undefined;
    throw new HttpError(400, "body_required", `${req.method} ${req.url} needs a JSON body, got none`, {
      hint: "send a JSON object with the header content-type: application/json (see docs/ui.md)",
    });
  }
  const type = req.headers["content-type"] ?? "";
  // The exact media type, parameters aside: a prefix test let "application/json-evil" through.
  if (mediaType(type) !== "application/json") {
    throw new HttpError(415, "unsupported_media_type", `request body must be JSON, got "${type || "none"}"`, {
      hint: "send the header content-type: application/json",
    });
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (cause) {
    throw badRequest(`request body is not valid JSON: ${(cause as Error).message}`, {
      hint: "send a JSON object",
      cause,
    });
  }
}
