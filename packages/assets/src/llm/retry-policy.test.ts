import { describe, expect, it } from "vitest";
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from "./retry-policy.ts";

const NOW = Date.parse("2025-01-01T00:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delta-seconds, fractional seconds and retry-after-ms", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }), NOW)).toBe(3000);
    expect(parseRetryAfter(new Headers({ "retry-after": "0.25" }), NOW)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "1500", "retry-after": "9" }), NOW)).toBe(1500);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    const inFive = new Date(NOW + 5000).toUTCString();
    expect(parseRetryAfter(new Headers({ "retry-after": inFive }), NOW)).toBe(5000);
    const past = new Date(NOW - 5000).toUTCString();
    expect(parseRetryAfter(new Headers({ "retry-after": past }), NOW)).toBe(0);
  });

  it("ignores an absent or unreadable header", () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), NOW)).toBeUndefined();
  });
});

describe("retryDelayMs", () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };

  it("doubles the delay per failed attempt, with jitter between half and the full delay", () => {
    expect(retryDelayMs(1, undefined, { ...opts, random: () => 0 })).toBe(50);
    expect(retryDelayMs(1, undefined, { ...opts, random: () => 0.999999 })).toBe(100);
    expect(retryDelayMs(3, undefined, { ...opts, random: () => 0 })).toBe(200);
    expect(retryDelayMs(3, undefined, { ...opts, random: () => 0.999999 })).toBe(400);
  });

  it("caps the exponential delay at maxDelayMs", () => {
    expect(retryDelayMs(20, undefined, { ...opts, random: () => 0.999999 })).toBe(1000);
  });

  it("waits at least Retry-After (capped), adding at most 10% jitter", () => {
    expect(retryDelayMs(1, 500, { ...opts, random: () => 0 })).toBe(500);
    expect(retryDelayMs(1, 500, { ...opts, random: () => 0.999999 })).toBe(550);
    expect(retryDelayMs(1, 60_000, { ...opts, random: () => 0 })).toBe(1000);
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 429 and 5xx only", () => {
    expect([408, 429, 500, 502, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});
