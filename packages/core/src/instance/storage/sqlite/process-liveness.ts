import os from "node:os";

/** The host name recorded with runs and claims; pids are only comparable on the same host. */
export function currentHost(): string {
  return os.hostname();
}

/**
 * Whether a process with this pid exists on this host. Signal 0 checks without
 * sending anything: ESRCH means gone, EPERM means alive but owned by someone else.
 * (A recycled pid reads as alive: the safe direction, the claim is just kept.)
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
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
