import { type ChildProcess, spawn, spawnSync } from "node:child_process";

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
