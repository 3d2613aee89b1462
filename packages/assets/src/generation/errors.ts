import { AssetsError, type ErrorContext } from "@daydream/core";

/**
 * A generation step that cannot produce its files: a response that breaks a stage rule
 * (too short, truncated, no score), an unusable task row, template or model. Raised after
 * raw.txt is saved when the response itself is the problem, so it can be inspected.
 */
export class GenerationError extends AssetsError {
  constructor(
    code: string,
    message: string,
    opts: { context?: ErrorContext; hint: string; cause?: unknown },
  ) {
    super(code, message, { ...opts, userError: false });
  }
}
