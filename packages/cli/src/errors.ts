/**
 * CLI errors and how any error becomes a message on stderr plus an exit code.
 * User mistakes (AssetsError with userError) exit 2 without a stack trace;
 * anything else exits 1; `--verbose` adds the stack.
 */
import { AssetsError, type ErrorContext } from "@daydream/core";
import { EXIT_STEP_FAILED, EXIT_USAGE } from "./exit-codes.ts";
import { paintErr as paint } from "./output/colors.ts";

export { EXIT_INTERRUPTED, EXIT_OK, EXIT_STEP_FAILED, EXIT_USAGE } from "./exit-codes.ts";

/** Bad flags or arguments, detected by the CLI itself. */
export class UsageError extends AssetsError {
  constructor(message: string, opts: { hint?: string; context?: ErrorContext; cause?: unknown } = {}) {
    super("USAGE", message, { ...opts, userError: true });
  }
}

/** A problem with the project config file (assets.yaml). */
export class ProjectConfigError extends AssetsError {
  constructor(message: string, opts: { hint?: string; context?: ErrorContext; cause?: unknown } = {}) {
    super("PROJECT_CONFIG", message, { ...opts, userError: true });
  }
}

/** Prints `err` on stderr the way a user should see it and returns the exit code. */
export function reportError(err: unknown, verbose: boolean): number {
  const stderr = process.stderr;
  const label = paint.red("error:");
  if (err instanceof AssetsError) {
    stderr.write(`${label} ${err.describe()}\n`);
    if (verbose) writeStack(err);
    return err.userError ? EXIT_USAGE : EXIT_STEP_FAILED;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`${label} ${message}\n`);
  if (verbose) writeStack(err);
  else stderr.write(paint.dim("  (run again with --verbose for the stack trace)\n"));
  return EXIT_STEP_FAILED;
}

function writeStack(err: unknown): void {
  let current: unknown = err;
  while (current instanceof Error) {
    process.stderr.write(paint.dim(`${current.stack ?? current.message}\n`));
    current = current.cause;
    if (current !== undefined) process.stderr.write(paint.dim("caused by:\n"));
  }
}
