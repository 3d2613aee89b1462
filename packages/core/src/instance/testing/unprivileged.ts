import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** uid/gid of "nobody": permission tests drop root, for whom chmod changes nothing. */
const NOBODY = 65534;

export const runningAsRoot = process.getuid?.() === 0;

/** Hands a tree to the unprivileged user the probe runs as (a no-op when not root). */
export function giveToProbeUser(target: string): void {
  if (!runningAsRoot) return;
  fs.chownSync(target, NOBODY, NOBODY);
  if (fs.statSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) giveToProbeUser(path.join(target, entry));
  }
}

export interface ProbeResult {
  ok: boolean;
  name?: string;
  code?: string;
  message?: string;
  hint?: string;
}

/** Runs try-open-instance.ts on `home` as an unprivileged user and returns what it printed. */
export function probeOpenInstance(home: string): ProbeResult {
  const script = path.join(import.meta.dirname, "try-open-instance.ts");
  const result = spawnSync(process.execPath, ["--import", "tsx", script, home], {
    encoding: "utf8",
    ...(runningAsRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: "/tmp" } } : {}),
  });
  if (result.status !== 0) {
    throw new Error(`probe exited with ${result.status ?? result.signal}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as ProbeResult;
}
