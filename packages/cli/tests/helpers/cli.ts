/**
 * Runs the real `assets` binary (node packages/cli/bin/assets.js) in a temporary
 * project directory whose assets.yaml points at the fixture definitions module.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const BIN = path.resolve(import.meta.dirname, "../../bin/assets.js");
export const FIXTURE_DEFINITIONS = path.resolve(import.meta.dirname, "../fixtures/definitions.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

export interface TempProject {
  dir: string;
  /** Runs `assets ...args` with cwd = the project (or opts.cwd). */
  run(args: string[], opts?: RunOptions): Promise<CliResult>;
  /** Runs and parses stdout as the single JSON document it must be. */
  json<T = unknown>(args: string[], opts?: RunOptions): Promise<T>;
  spawn(args: string[], opts?: RunOptions): ChildProcess;
  /** Like spawn, on a pseudo-terminal (see spawnCliInTerminal). */
  spawnInTerminal(args: string[], opts?: RunOptions): ChildProcess;
  /** Kills any child still running (a failed test must not leave a run holding claims), removes the dir. */
  cleanup(): void;
}

/** Env for the child: no inherited settings that would change what the CLI does. */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of ["ASSETS_HOME", "DD_DATA_ROOT", "DD_LLM", "FORCE_COLOR"]) delete env[name];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function spawnCli(args: string[], opts: RunOptions & { cwd: string }): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env), stdio: "pipe" });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * Runs the binary on a pseudo-terminal (util-linux `script`), as a user at a shell
 * would: stdout and stderr both arrive on the child's stdout, and writing "\x03" to
 * its stdin is a real Ctrl-C (the terminal sends SIGINT to the foreground job).
 */
export function spawnCliInTerminal(args: string[], opts: RunOptions & { cwd: string }): ChildProcess {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  return spawn("script", ["--quiet", "--flush", "--return", "--command", command, "/dev/null"], {
    cwd: opts.cwd,
    env: childEnv({ SHELL: "/bin/sh", ...opts.env }),
    stdio: "pipe",
  });
}

export function runCli(args: string[], opts: RunOptions & { cwd: string }): Promise<CliResult> {
  const child = spawnCli(args, opts);
  return collect(child, opts.input);
}

export function collect(child: ChildProcess, input?: string): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdin!.end(input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves once `pattern` has appeared on the child's stdout or stderr (output after the call). */
export function waitForOutput(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern} on ${stream}:\n${seen}`)),
      timeoutMs,
    );
    child[stream]!.on("data", (d: Buffer | string) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export function makeProject(
  opts: { config?: string; definitions?: string; prefix?: string } = {},
): TempProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? "assets-cli-"));
  const config =
    opts.config ??
    `definitions: ${JSON.stringify(opts.definitions ?? FIXTURE_DEFINITIONS)}\n` +
      "home: .assets\nenv:\n  DD_DATA_ROOT: data\n";
  fs.writeFileSync(path.join(dir, "assets.yaml"), config);
  const children: ChildProcess[] = [];
  const project: TempProject = {
    dir,
    run: (args, o = {}) => runCli(args, { ...o, cwd: o.cwd ?? dir }),
    async json<T>(args: string[], o: RunOptions = {}) {
      const res = await project.run(args, o);
      if (res.code !== 0) throw new Error(`assets ${args.join(" ")} exited ${res.code}:\n${res.stderr}`);
      return JSON.parse(res.stdout) as T;
    },
    spawn(args, o = {}) {
      const child = spawnCli(args, { ...o, cwd: o.cwd ?? dir });
      children.push(child);
      return child;
    },
    spawnInTerminal(args, o = {}) {
      const child = spawnCliInTerminal(args, { ...o, cwd: o.cwd ?? dir });
      children.push(child);
      return child;
    },
    cleanup() {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return project;
}
