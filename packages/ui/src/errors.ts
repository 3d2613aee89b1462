/**
 * UI errors. Every error a request can cause is an AssetsError subclass so the
 * JSON error body carries a code, context and a hint like the CLI's messages.
 */
import { AssetsError, type ErrorContext } from "@daydream/core";

interface UiErrorOptions {
  context?: ErrorContext;
  hint?: string;
  cause?: unknown;
}

/** A request the server refuses: carries the HTTP status to answer with. */
export class HttpError extends AssetsError {
  readonly status: number;
  constructor(status: number, code: string, message: string, opts: UiErrorOptions = {}) {
    super(code, message, { ...opts, userError: status < 500 });
    this.status = status;
  }
}

export function badRequest(message: string, opts: UiErrorOptions = {}): HttpError {
  return new HttpError(400, "bad_request", message, opts);
}

export function notFound(what: string, opts: UiErrorOptions = {}): HttpError {
  return new HttpError(404, "not_found", `${what} not found`, opts);
}

/** Start-up problems: bad host/port, non-loopback without a usable token. */
export class UiConfigError extends AssetsError {
  constructor(message: string, opts: UiErrorOptions = {}) {
    super("ui_config", message, { ...opts, userError: true });
  }
}

/** Data the UI reads is malformed (membership.csv, a generation file): the server answers 500 with the file named. */
export class UiDataError extends AssetsError {
  constructor(code: string, message: string, opts: UiErrorOptions = {}) {
    super(code, message, { ...opts, userError: false });
  }
}
