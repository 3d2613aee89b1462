/** `--json` output: exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The `error` member of the document `--json` prints when a command fails. */
export function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; hint?: unknown; context?: unknown };
    return {
      name: e.name,
      code: e.code ?? null,
      message: e.message,
      hint: e.hint ?? null,
      context: e.context ?? {},
    };
  }
  return { name: "Error", code: null, message: String(err), hint: null, context: {} };
}
