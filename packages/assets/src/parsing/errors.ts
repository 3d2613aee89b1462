import { AssetsError, type ErrorContext } from "@daydream/core";

/** A draft response does not have the shape its template's parser expects. */
export class DraftParseError extends AssetsError {
  constructor(message: string, opts: { context?: ErrorContext; hint?: string } = {}) {
    super("DRAFT_PARSE_FAILED", message, { ...opts, userError: false });
  }
}

/** No valid score could be read from an evaluation response. */
export class ScoreParseError extends AssetsError {
  constructor(message: string, opts: { context?: ErrorContext; hint?: string } = {}) {
    super("SCORE_PARSE_FAILED", message, { ...opts, userError: false });
  }
}

/** A template table names a parser that is not registered. */
export class UnknownParserError extends AssetsError {
  constructor(kind: "draft" | "evaluation", name: string, registered: readonly string[]) {
    const listed = registered.map((n) => (n === "" ? '"" (identity)' : n)).join(", ");
    super("UNKNOWN_PARSER", `unknown ${kind} parser ${JSON.stringify(name)}; registered: ${listed}`, {
      context: { parser: name, kind },
      hint: `set the template's parser column to one of: ${listed}`,
    });
  }
}
