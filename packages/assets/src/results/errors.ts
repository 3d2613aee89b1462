import { AssetsError, type ErrorContext } from "@daydream/core";

/** The results (parsed_scores, top-N selection) cannot be built from their inputs. */
export class ResultsError extends AssetsError {
  constructor(
    code: string,
    message: string,
    opts: { context?: ErrorContext; hint: string; cause?: unknown },
  ) {
    super(code, message, { ...opts, userError: true });
  }
}
