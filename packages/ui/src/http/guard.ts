/**
 * Who may change state. On loopback every local client may (like the CLI);
 * bound elsewhere, state-changing requests need the start-up token. Both ways,
 * a browser request from another origin is refused (CSRF / DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError, UiConfigError } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface GuardOptions {
  /** Token required for state-changing requests; undefined = none required. */
  token: string | undefined;
  /** When bound to loopback, the Host header must name a loopback host (DNS rebinding). */
  loopbackOnly: boolean;
}

export interface AccessPolicy extends GuardOptions {
  warnings: string[];
}

/**
 * Loopback: no token unless one is given. Any other address: the given token,
 * or a generated one, and a warning for the user.
 */
export function accessPolicy(host: string, token: string | undefined): AccessPolicy {
  const loopback = isLoopbackHost(host);
  const effective = token ?? (loopback ? undefined : randomBytes(24).toString("base64url"));
  if (effective !== undefined && effective.length < 16) {
    throw new UiConfigError("the UI token must be at least 16 characters", {
      context: { host },
      hint: "omit the token to have one generated",
    });
  }
  const warnings = loopback
    ? []
    : [
        `serving on ${host}, beyond this machine: anyone who can reach it can read your runs and generations;` +
          " changes need the token printed below",
      ];
  return { token: effective, loopbackOnly: loopback, warnings };
}

export function checkRequest(req: IncomingMessage, opts: GuardOptions): void {
  const hostHeader = req.headers.host ?? "";
  if (opts.loopbackOnly && !isLoopbackHost(hostnameOf(hostHeader))) {
    throw new HttpError(403, "forbidden_host", `requests must name a loopback host, got "${hostHeader}"`, {
      hint: "open the UI at http://127.0.0.1:<port>/ or start it with --host to serve other hosts",
    });
  }
  if (SAFE_METHODS.has(req.method ?? "GET")) return;

  const origin = req.headers.origin;
  // "null" is the opaque origin of a sandboxed iframe or a file: page: any site can make one.
  if (origin === "null") {
    throw new HttpError(403, "forbidden_origin", "request from an opaque origin (Origin: null) refused", {
      hint: "sandboxed and file: pages may not change anything; use the UI served by this server",
    });
  }
  if (origin !== undefined && hostOfOrigin(origin) !== hostHeader) {
    throw new HttpError(403, "forbidden_origin", `cross-origin request from ${origin} refused`, {
      hint: "use the UI served by this server, or call the API without an Origin header",
    });
  }
  if (opts.token !== undefined && !tokenMatches(presentedToken(req), opts.token)) {
    throw new HttpError(401, "token_required", "this server requires its access token for changes", {
      hint: "send the token printed at start-up as 'authorization: Bearer <token>' (the UI reads it from #token=...)",
    });
  }
}

function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice("Bearer ".length).trim();
  const header = req.headers["x-assets-token"];
  return typeof header === "string" ? header : undefined;
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(1, hostHeader.indexOf("]"));
  const colon = hostHeader.lastIndexOf(":");
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

function hostOfOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    // An Origin header that is not a URL cannot match our host: refuse below.
    return undefined;
  }
}
