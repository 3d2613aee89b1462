/** `assets ui` through the real binary: prints the URL, serves the API, stops cleanly on Ctrl-C. */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const REPO = path.resolve(import.meta.dirname, "../../..");
const BIN = path.join(REPO, "packages/cli/bin/assets.js");
const FIXTURE = path.join(import.meta.dirname, "fixtures/definitions.ts");

let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  child = undefined;
  dir = undefined;
});

function startUi(args: string[]): {
  proc: ChildProcess;
  output: () => string;
  line: (re: RegExp) => Promise<RegExpMatchArray>;
} {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "assets-ui-cli-"));
  const proc = spawn(process.execPath, [BIN, "-f", FIXTURE, "ui", "--port", "0", ...args], {
    cwd: dir,
    env: { ...process.env, ASSETS_HOME: path.join(dir, "home"), NO_COLOR: "1" },
  });
  child = proc;
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  proc.stderr?.on("data", (d) => {
    out += d;
  });
  const line = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = out.match(re);
        if (m) {
          clearInterval(timer);
          resolve(m);
        } else if (proc.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`assets ui exited with ${proc.exitCode}:\n${out}`));
        }
      }, 20);
    });
  return { proc, output: () => out, line };
}

function exitCode(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}

describe("assets ui", () => {
  it("serves the UI on loopback, prints its URL and exits 0 on Ctrl-C", async () => {
    const ui = startUi([]);
    const [, url] = await ui.line(/assets ui: (http:\/\/127\.0\.0\.1:\d+\/)/);
    const health = await fetch(new URL("/api/health", url));
    expect(await health.json()).toEqual({ ok: true });
    const assets = (await (await fetch(new URL("/api/assets", url))).json()) as { assets: unknown[] };
    expect(assets.assets).toHaveLength(5);
    expect(ui.output()).not.toContain("token");
    const exited = exitCode(ui.proc);
    ui.proc.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("requires the token it prints when one is set", async () => {
    const token = "cli-test-token-0123456789";
    const ui = startUi(["--token", token]);
    const [, url] = await ui.line(/assets ui: (http:\/\/127\.0\.0\.1:\d+\/)#token=/);
    await ui.line(new RegExp(`access token \\(needed to launch or cancel runs\\): ${token}`));
    const post = (headers: Record<string, string>) =>
      fetch(new URL("/api/runs", url), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ selection: "settings" }),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(202);
    const exited = exitCode(ui.proc);
    ui.proc.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("exits 2 with a hint when the port is taken", async () => {
    const first = startUi([]);
    const [, url] = await first.line(/assets ui: (http:\/\/127\.0\.0\.1:(\d+)\/)/);
    const port = new URL(url).port;
    const firstDir = dir;
    const firstChild = child;
    const second = spawn(process.execPath, [BIN, "-f", FIXTURE, "ui", "--port", port], {
      cwd: firstDir,
      env: { ...process.env, ASSETS_HOME: path.join(firstDir!, "home2"), NO_COLOR: "1" },
    });
    let err = "";
    second.stderr.on("data", (d) => {
      err += d;
    });
    expect(await exitCode(second)).toBe(2);
    expect(err).toContain("--port");
    const firstExited = exitCode(firstChild!);
    firstChild?.kill("SIGINT");
    expect(await firstExited).toBe(0);
  });
});
