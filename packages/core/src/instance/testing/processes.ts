import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The pid of a child process that has already exited (and been reaped). */
export function exitedPid(): number {
  const child = spawnSync(process.execPath, ["-e", "0"]);
  if (child.pid === undefined || child.status !== 0) throw new Error("could not run a child process");
  return child.pid;
}

export interface IdleProcess {
  pid: number;
  /** Kills the process and waits until it is reaped (a zombie still answers kill(pid, 0)). */
  stop(): Promise<void>;
}

/** A live child process that does nothing until stopped. */
export function startIdleProcess(): IdleProcess {
  const child: ChildProcess = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], {
    stdio: "ignore",
  });
  if (child.pid === undefined) throw new Error("could not start a child process");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid,
    stop: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export interface ZombieProcess {
  /** The pid of a killed process its parent never reaps: state "Z", yet kill(pid, 0) succeeds. */
  pid: number;
  /** Kills the non-reaping parent, so the zombie is handed to init. */
  reap(): void;
}

/**
 * A zombie: `sh` starts a background `sleep`, then becomes a `sleep` itself, which never
 * waits for children; killing the background one leaves it a zombie while the parent lives.
 */
export async function startZombieProcess(): Promise<ZombieProcess> {
  const parent = spawn("sh", ["-c", "sleep 60 & echo $!; exec sleep 60"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once("error", reject);
  });
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    if (stat.charAt(stat.lastIndexOf(")") + 2) === "Z") break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { pid, reap: () => parent.kill("SIGKILL") };
}
