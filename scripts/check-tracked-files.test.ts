import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const PROJECT = path.resolve(import.meta.dirname, "..");
const SCRIPT = path.join(PROJECT, "scripts", "check-tracked-files.ts");

let repo: string;

function write(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), content);
}

function git(...args: string[]): void {
  execFileSync("git", ["-C", repo, ...args], { stdio: "pipe" });
}

function check(root: string): { code: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, root], {
    cwd: PROJECT,
    encoding: "utf8",
  });
  return { code: result.status, stderr: result.stderr };
}

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "check-tracked-"));
  git("init", "-q");
  write("README.md", "# a project\n");
  write("src/index.ts", "export const x = 1;\n");
  git("add", ".");
});

afterEach(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

describe("scripts/check-tracked-files.ts", () => {
  it("passes a repository of text files and allowed images", () => {
    write("docs/img/ui-graph.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    git("add", ".");
    expect(check(repo)).toEqual({ code: 0, stderr: "" });
  });

  it("fails on tracked wheels, archives and databases, naming each", () => {
    write("jinja2-3.1.6-py3-none-any.whl", "PK");
    write("vendor/lib.tar.gz", "x");
    write("state/instance.db", "x");
    write("Lib.JAR", "x");
    git("add", ".");
    const { code, stderr } = check(repo);
    expect(code).toBe(1);
    expect(stderr).toContain("4 tracked file(s)");
    expect(stderr).toContain("jinja2-3.1.6-py3-none-any.whl: .whl files are not kept");
    expect(stderr).toContain("vendor/lib.tar.gz: .tar.gz files");
    expect(stderr).toContain("state/instance.db: .db files");
    expect(stderr).toContain("Lib.JAR: .jar files");
    expect(stderr).toContain("hint:");
  });

  it("fails on a binary file outside the allow-list, whatever its name", () => {
    write("data/blob.txt", Buffer.from([0x00, 0xff, 0x10, 0x00]));
    write("docs/elsewhere.png", Buffer.from([0x89, 0x50, 0x00]));
    git("add", ".");
    const { code, stderr } = check(repo);
    expect(code).toBe(1);
    expect(stderr).toContain("data/blob.txt: binary file not on the allow-list");
    expect(stderr).toContain("docs/elsewhere.png: binary file not on the allow-list");
  });

  it("checks only what git tracks", () => {
    write("untracked.whl", "PK");
    expect(check(repo).code).toBe(0);
  });

  it("passes on this repository", () => {
    expect(check(PROJECT)).toEqual({ code: 0, stderr: "" });
  });
});
