/**
 * Runs the real `assets` binary in a temp project whose assets.yaml loads this package's
 * definitions with DD_DATA_ROOT=data (a copy of the fixture) and the offline LLM by default.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { RunSummary } from "@daydream/core";

export const BIN = path.resolve(import.meta.dirname, "../../../../cli/bin/assets.js");
const DEFINITIONS = path.resolve(import.meta.dirname, "../../../src/definitions.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function writeProjectConfig(dir: string): void {
  const yaml = [
    `definitions: ${JSON.stringify(DEFINITIONS)}`,
    "home: .assets",
    "env:",
    "  DD_DATA_ROOT: data",
    "  DD_LLM: offline",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "assets.yaml"), yaml);
}

/** The child's env: none of the caller's DD_* / ASSETS_HOME settings leak in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of Object.keys(env)) {
    if (name.startsWith("DD_") || name === "ASSETS_HOME" || name === "OPENROUTER_API_KEY") delete env[name];
  }
  return { ...env, ...extra };
}

export function spawnCli(dir: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: dir, env: childEnv(env), stdio: "pipe" });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return collect(spawnCli(dir, args, env));
}

/** `assets materialize ... --json`; fails the test with the CLI's output unless it exits 0. */
export async function materializeOk(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunSummary> {
  const res = await runCli(dir, ["materialize", ...args, "--json"], env);
  if (res.code !== 0) {
    throw new Error(`assets materialize ${args.join(" ")} exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  }
  return JSON.parse(res.stdout) as RunSummary;
}
