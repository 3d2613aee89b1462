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
 * The child is killed only once the parent has become `sleep`: the shell itself would reap it.
 */
export async function startZombieProcess(): Promise<ZombieProcess> {
  const parent = spawn("sh", ["-c", "sleep 60 & exec sleep 60"], { stdio: "ignore" });
  if (parent.pid === undefined) throw new Error("could not start a child process");
  const parentPid = parent.pid;
  const pid = await poll("the shell to become sleep with one child", () => {
    if (readFileSync(`/proc/${parentPid}/comm`, "latin1").trim() !== "sleep") return undefined;
    const children = readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, "latin1").trim();
    return children === "" ? undefined : Number(children.split(" ")[0]);
  });
  process.kill(pid, "SIGKILL");
  await poll("the killed child to become a zombie", () => {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.charAt(stat.lastIndexOf(")") + 2) === "Z" ? true : undefined;
  });
  return { pid, reap: () => parent.kill("SIGKILL") };
}

async function poll<T>(what: string, check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const found = check();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
