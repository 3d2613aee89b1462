/**
 * ANSI colours, on only when the stream is a TTY and NO_COLOR is unset
 * (https://no-color.org); FORCE_COLOR turns them on for a pipe.
 */
export interface Painter {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function createPainter(enabled: boolean): Painter {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/** Painter for stdout (tables, summaries). */
export const paintOut: Painter = createPainter(colorEnabled(process.stdout));
/** Painter for stderr (errors, progress). */
export const paintErr: Painter = createPainter(colorEnabled(process.stderr));

/** Colour for a run or step status word. */
export function statusColor(p: Painter, status: string): string {
  switch (status) {
    case "succeeded":
    case "materialized":
      return p.green(status);
    case "failed":
      return p.red(status);
    case "canceled":
    case "interrupted":
    case "skipped":
      return p.yellow(status);
    case "started":
    case "queued":
      return p.cyan(status);
    default:
      return status;
  }
}
