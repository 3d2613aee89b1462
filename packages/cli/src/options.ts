/** Parsers for flag values (commander argParsers). */
import { RUN_STATUSES, type RunStatus } from "@daydream/core";
import { InvalidArgumentError } from "commander";

export type GraphFormat = "mermaid" | "dot";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["mermaid", "dot"];

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a whole number >= 1.");
  }
  return n;
}

/** US dollars > 0, as a plain decimal (2, 0.5, 12.75). */
export function parseUsd(value: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(trimmed) || !(n > 0)) {
    throw new InvalidArgumentError("expected an amount of US dollars > 0, such as 2.50.");
  }
  return n;
}

/** Seconds >= 0, decimals allowed (30, 0.5). */
export function parseSeconds(value: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(trimmed) || !Number.isFinite(n)) {
    throw new InvalidArgumentError("expected a number of seconds >= 0, such as 30 or 2.5.");
  }
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("expected a whole number >= 0.");
  }
  return n;
}

export function parseRunStatus(value: string): RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of: ${RUN_STATUSES.join(", ")}.`);
  }
  return value as RunStatus;
}
