import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh temporary directory; remove it with `removeTempDir` in afterEach. */
export function makeTempDir(prefix = "assets-instance-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Restores write permission first: tests chmod directories read-only. */
export function removeTempDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const restore = (p: string): void => {
    const stat = fs.lstatSync(p);
    if (!stat.isDirectory()) return;
    fs.chmodSync(p, 0o755);
    for (const entry of fs.readdirSync(p)) restore(path.join(p, entry));
  };
  restore(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
