import { AssetsError } from "@daydream/core";

/** A template that cannot be read, parsed or rendered. */
export class TemplateError extends AssetsError {
  constructor(
    message: string,
    opts: { file: string; line?: number; column?: number; hint: string; cause?: unknown },
  ) {
    super("TEMPLATE_ERROR", message, {
      context: { file: opts.file, line: opts.line, column: opts.column },
      hint: opts.hint,
      cause: opts.cause,
    });
  }
}
