import { AssetsError, type ErrorContext } from "@daydream/core";

/** A cohort cannot be built or read: bad selection, empty axis, broken lineage, unreadable cohort files. */
export class CohortError extends AssetsError {
  constructor(
    code: string,
    message: string,
    opts: { context?: ErrorContext; hint: string; cause?: unknown },
  ) {
    super(code, message, opts);
  }
}

/** A selected essay (Path A) whose generation or its parent draft lacks what the cohort needs. */
export class SelectedEssayError extends CohortError {
  constructor(
    essayGenId: string,
    problem: string,
    opts: { missingField?: string; file?: string; hint: string; cause?: unknown },
  ) {
    super("SELECTED_ESSAY_INCOMPLETE", `selected essay ${essayGenId}: ${problem}`, {
      context: { essay_gen_id: essayGenId, missing_field: opts.missingField, file: opts.file },
      hint: opts.hint,
      cause: opts.cause,
    });
  }
}

/** Membership rows whose parent_gen_id is not in the cohort. */
export class MembershipIntegrityError extends CohortError {}

/** Two membership rows with the same (stage, gen_id) and different cells. */
export class MembershipConflictError extends CohortError {}
