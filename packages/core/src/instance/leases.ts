import { AssetsError } from "../errors.ts";
import { currentHost, isProcessRunning } from "./process-liveness.ts";
import type { RunStatus } from "./types.ts";

/** How often a running run renews its lease, and how long a lease lasts without renewal. */
export interface LeaseSettings {
  heartbeatMs: number;
  leaseMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = { heartbeatMs: 5_000, leaseMs: 30_000 };

function seconds(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallbackMs;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new AssetsError("INVALID_LEASE", `${name} must be a positive number of seconds (got "${raw}")`, {
      context: { variable: name },
      hint: `e.g. ${name}=${fallbackMs / 1000}, or unset it for the default`,
    });
  }
  return Math.round(value * 1000);
}

/**
 * Lease settings from `ASSETS_HEARTBEAT_SECONDS` / `ASSETS_LEASE_SECONDS`, overridden by explicit
 * ones. A lease must outlast a few missed heartbeats, or a busy but healthy run loses its claims.
 */
export function leaseSettings(
  explicit: Partial<LeaseSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): LeaseSettings {
  const heartbeatMs =
    explicit.heartbeatMs ?? seconds(env, "ASSETS_HEARTBEAT_SECONDS", DEFAULT_LEASE.heartbeatMs);
  const leaseMs = explicit.leaseMs ?? seconds(env, "ASSETS_LEASE_SECONDS", DEFAULT_LEASE.leaseMs);
  if (!(heartbeatMs > 0) || !(leaseMs >= 2 * heartbeatMs)) {
    throw new AssetsError(
      "INVALID_LEASE",
      `the lease (${leaseMs / 1000} s) must be at least twice the heartbeat interval (${heartbeatMs / 1000} s)`,
      {
        context: { leaseSeconds: leaseMs / 1000, heartbeatSeconds: heartbeatMs / 1000 },
        hint: "raise ASSETS_LEASE_SECONDS or lower ASSETS_HEARTBEAT_SECONDS (defaults: 30 and 5)",
      },
    );
  }
  return { heartbeatMs, leaseMs };
}

/** The run holding a claim, as storage sees it; `now` and `leaseExpiresAt` are the storage's clock. */
export interface HolderSnapshot {
  runId: string;
  status: RunStatus | null;
  pid: number;
  host: string;
  /** Epoch ms on the storage's clock; null for a run recorded before leases existed. */
  leaseExpiresAt: number | null;
  now: number;
}

export type HolderState = "live" | "finished" | "lease-expired" | "process-gone";

/**
 * Whether a claim's run still owns it. A run owns its claims while it is unfinished and its
 * lease is fresh; on this host a process that is gone or a zombie gives them up at once,
 * without waiting for the lease. Both sides of the lease comparison come from the storage's
 * clock, so hosts with skewed clocks agree.
 */
export function holderState(holder: HolderSnapshot): HolderState {
  if (holder.status !== "queued" && holder.status !== "started") return "finished";
  if (holder.leaseExpiresAt === null || holder.leaseExpiresAt <= holder.now) return "lease-expired";
  if (holder.host === currentHost() && !isProcessRunning(holder.pid)) return "process-gone";
  return "live";
}
