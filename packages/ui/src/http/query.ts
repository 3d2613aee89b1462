/** Typed reading of query-string parameters, with 400 errors naming the parameter. */
import { badRequest } from "../errors.ts";

export function intParam(
  query: URLSearchParams,
  name: string,
  opts: { default: number; min: number; max: number },
): number {
  const raw = query.get(name);
  if (raw === null || raw === "") return opts.default;
  if (!/^-?\d+$/.test(raw)) {
    throw badRequest(`query parameter "${name}" must be an integer, got "${raw}"`, {
      context: { parameter: name },
      hint: `pass ${name}=<integer between ${opts.min} and ${opts.max}>`,
    });
  }
  const value = Number(raw);
  if (value < opts.min || value > opts.max) {
    throw badRequest(`query parameter "${name}" must be between ${opts.min} and ${opts.max}, got ${value}`, {
      context: { parameter: name },
      hint: `pass ${name}=<integer between ${opts.min} and ${opts.max}>`,
    });
  }
  return value;
}

export function enumParam<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw badRequest(`query parameter "${name}" must be one of ${allowed.join(", ")}, got "${raw}"`, {
      context: { parameter: name },
      hint: `pass ${name}=${allowed[0]}`,
    });
  }
  return raw as T;
}

export function stringParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  return raw === null || raw.trim() === "" ? undefined : raw.trim();
}
