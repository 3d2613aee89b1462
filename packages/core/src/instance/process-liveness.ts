import { readFileSync } from "node:fs";
import os from "node:os";

/** The host name recorded with runs; pids are only comparable on the same host. */
export function currentHost(): string {
  return os.hostname();
}

/**
 * The one-letter state of a Linux process from /proc/<pid>/stat ("R", "S", "Z"...), null when
 * the process does not exist, undefined where /proc cannot tell (not Linux).
 */
function procState(pid: number): string | null | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return process.platform === "linux" ? null : undefined;
    throw err;
  }
  // The command name in parentheses may itself hold ") "; the state follows the last one.
  const close = stat.lastIndexOf(")");
  return close < 0 ? undefined : stat.charAt(close + 2);
}

/**
 * Whether a process with this pid is running on this host. A zombie (killed but not yet
 * reaped by its parent, which in containers without an init may be forever) is not running,
 * though it still answers `kill(pid, 0)`; /proc tells them apart on Linux. Elsewhere signal 0
 * decides (ESRCH: gone, EPERM: someone else's), and the run's lease expiring covers zombies.
 * A recycled pid reads as running: the safe direction, the lease still expires.
 */
export function isProcessRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  const state = procState(pid);
  if (state === null) return false;
  if (state !== undefined) return state !== "Z" && state !== "X" && state !== "x";
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    if (code === "EPERM") return true;
    throw err;
  }
}
