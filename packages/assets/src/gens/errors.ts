import { AssetsError, type ErrorContext } from "@daydream/core";

/** Problems with the generations store: bad stage or gen_id, missing or unreadable files. */
export class GensStoreError extends AssetsError {
  constructor(
    code: string,
    message: string,
    opts: { context?: ErrorContext; hint: string; cause?: unknown },
  ) {
    super(code, message, { ...opts, userError: true });
  }
}
