/** Pretty-printing of one pino JSON log line: time, level, step, message, extra fields. */
import type { Painter } from "./colors.ts";
import { stepLabel } from "./format.ts";

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
/** Fields shown in the fixed part of the line (or pure noise) rather than as key=value. */
const FIXED_FIELDS = new Set([
  "level",
  "time",
  "msg",
  "pid",
  "hostname",
  "run_id",
  "runId",
  "asset",
  "assetKey",
  "partition",
  "partitionKey",
  "err",
]);

function clock(time: unknown): string {
  const d = typeof time === "number" || typeof time === "string" ? new Date(time) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) return "--:--:--.---";
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function levelText(level: unknown, p: Painter): string {
  const name =
    (typeof level === "number" ? LEVELS[level] : typeof level === "string" ? level.toUpperCase() : "") ||
    "LOG";
  const padded = name.padEnd(5);
  if (name === "ERROR" || name === "FATAL") return p.red(padded);
  if (name === "WARN") return p.yellow(padded);
  if (name === "DEBUG" || name === "TRACE") return p.dim(padded);
  return p.cyan(padded);
}

function fieldText(value: unknown): string {
  return typeof value === "string"
    ? /\s/.test(value)
      ? JSON.stringify(value)
      : value
    : JSON.stringify(value);
}

/** One JSONL line as human text; a line that is not JSON is returned as it is. */
export function prettyLogLine(line: string, p: Painter): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    // not every line of a log is guaranteed to be JSON (e.g. a torn last line): show it raw
    return line;
  }
  const asset = (entry.asset ?? entry.assetKey) as string | undefined;
  const partition = (entry.partition ?? entry.partitionKey) as string | undefined;
  const step = asset ? `${p.bold(stepLabel(asset, partition))} ` : "";
  const extras = Object.entries(entry)
    .filter(([k]) => !FIXED_FIELDS.has(k))
    .map(([k, v]) => p.dim(`${k}=${fieldText(v)}`));
  const parts = [
    `${p.dim(clock(entry.time))} ${levelText(entry.level, p)} ${step}${String(entry.msg ?? "")}`,
  ];
  if (extras.length > 0) parts[0] += ` ${extras.join(" ")}`;
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err && typeof err === "object")
    parts.push(p.red(`    ${(err.stack ?? err.message ?? "").split("\n").join("\n    ")}`));
  return parts.join("\n");
}
