/**
 * Typed errors. Every error the engine raises for a user mistake is an
 * AssetsError: it carries a machine-readable code, context (asset, partition,
 * file, row...) and a hint telling the user how to fix it.
 */
export type ErrorContext = Record<string, string | number | boolean | undefined>;

export class AssetsError extends Error {
  readonly code: string;
  readonly context: ErrorContext;
  readonly hint?: string;
  /** True for bad input or bad usage (CLI exit 2); false for a failure while running. */
  readonly userError: boolean;

  constructor(
    code: string,
    message: string,
    opts: { context?: ErrorContext; hint?: string; cause?: unknown; userError?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = opts.context ?? {};
    this.hint = opts.hint;
    this.userError = opts.userError ?? true;
  }

  /** Message, context and hint as one human-readable block. */
  describe(): string {
    const ctx = Object.entries(this.context)
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    return [this.message, ctx ? `  (${ctx})` : "", this.hint ? `  hint: ${this.hint}` : ""]
      .filter(Boolean)
      .join("\n");
  }
}

/** Invalid definitions: duplicate keys, unknown deps, cycles, missing resources/IO managers. */
export class DefinitionError extends AssetsError {}
/** A selection string that does not parse or names unknown assets/groups. */
export class SelectionError extends AssetsError {}
/** Bad partition keys, unregistered keys, partition given for an unpartitioned asset... */
export class PartitionError extends AssetsError {}
/** Instance storage problems: corrupt/read-only database, unwritable home. */
export class StorageError extends AssetsError {}
/** An input could not be loaded through its producer's IO manager. */
export class InputLoadError extends AssetsError {}

/**
 * Throw (or wrap) with this inside compute to make the executor retry the step
 * according to the asset's retry policy. Any error with `retryable === true` counts too.
 */
export class RetryableError extends Error {
  readonly retryable = true;
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "RetryableError";
  }
}

export function isRetryable(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { retryable?: unknown }).retryable === true;
}

/**
 * Throw from compute, before the step's real work begins, when the step must not run in
 * this run (a spending cap was reached, say): the step ends not started (recorded as skipped,
 * with the message as its reason) rather than failed, its downstream is skipped, a later
 * `--missing` run does it, and the run ends failed since it did not do all it planned.
 */
export class StepNotStartedError extends AssetsError {
  readonly notStarted = true;
  constructor(
    code: string,
    message: string,
    opts: { context?: ErrorContext; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, { ...opts, userError: false });
  }
}

/** Read as a property: definitions loaded with -f may bring their own copy of core. */
export function isNotStarted(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { notStarted?: unknown }).notStarted === true;
}

/**
 * Whether an error is bad input (an AssetsError with `userError`). Read as a property, not via
 * instanceof: definitions loaded with -f may bring their own copy of core.
 */
export function isUserError(err: unknown): boolean {
  return (err as { userError?: unknown } | null)?.userError === true;
}
