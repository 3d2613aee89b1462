import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeStaleTempFiles } from "./stale-temp-files.ts";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stale-tmp-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

describe("removeStaleTempFiles", () => {
  it("removes temp files of dead writers and keeps live writers' temp files and real files", () => {
    const dead = deadPid();
    const files = {
      stale: `.parsed.txt.${dead}.a1b2c3d4e5f6.tmp`,
      live: `.raw.txt.${process.pid}.0badc0ffee00.tmp`,
      real: "raw.txt",
      lookalike: "notes.tmp",
    };
    for (const name of Object.values(files)) fs.writeFileSync(path.join(dir, name), "x");
    expect(removeStaleTempFiles(dir)).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([files.live, files.real, files.lookalike].sort());
  });

  it("does nothing for a directory that does not exist yet", () => {
    expect(removeStaleTempFiles(path.join(dir, "missing"))).toBe(0);
  });
});
