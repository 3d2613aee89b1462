import fs from "node:fs";
import { StorageError } from "../errors.ts";

const HOME_HINT = "set ASSETS_HOME to a writable directory, or fix the permissions (chmod u+w)";

/** Creates `dir` (and its parents) if needed and checks that it is a writable directory. */
export function ensureWritableDirectory(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") throw notADirectory(dir, what, err);
    throw new StorageError("home_not_writable", `cannot create ${what} ${dir}: ${describeErrno(err)}`, {
      cause: err,
      context: { file: dir },
      hint: HOME_HINT,
    });
  }
  if (!fs.statSync(dir).isDirectory()) throw notADirectory(dir, what);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new StorageError("home_not_writable", `${what} ${dir} is not writable: ${describeErrno(err)}`, {
      cause: err,
      context: { file: dir },
      hint: HOME_HINT,
    });
  }
}

function notADirectory(dir: string, what: string, cause?: unknown): StorageError {
  return new StorageError("home_not_a_directory", `${what} ${dir} exists but is not a directory`, {
    cause,
    context: { file: dir },
    hint: "move the file out of the way, or set ASSETS_HOME to another directory",
  });
}

function describeErrno(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  if (e.code === "EROFS") return "read-only file system";
  return e.code ?? e.message;
}
