import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveDataRoot } from "./data-root.ts";
import { envCohortOverride, legacyTasksAllowed } from "./env.ts";

describe("resolveDataRoot", () => {
  it("defaults to <cwd>/data", () => {
    expect(resolveDataRoot({}, "/work/project")).toBe(path.resolve("/work/project/data"));
  });

  it("resolves DD_DATA_ROOT against the current directory", () => {
    expect(resolveDataRoot({ DD_DATA_ROOT: "experiments/one" }, "/work/project")).toBe(
      path.resolve("/work/project/experiments/one"),
    );
    expect(resolveDataRoot({ DD_DATA_ROOT: "/elsewhere/data" }, "/work/project")).toBe(
      path.resolve("/elsewhere/data"),
    );
    expect(resolveDataRoot({ DD_DATA_ROOT: "  " }, "/work/project")).toBe(path.resolve("/work/project/data"));
  });
});

describe("environment switches", () => {
  it("reads DD_COHORT as written, treating blank as unset", () => {
    expect(envCohortOverride({ DD_COHORT: "my-cohort" })).toBe("my-cohort");
    expect(envCohortOverride({ DD_COHORT: " my-cohort " })).toBe(" my-cohort ");
    expect(envCohortOverride({ DD_COHORT: "" })).toBeUndefined();
    expect(envCohortOverride({ DD_COHORT: "  " })).toBeUndefined();
  });

  it("enables the legacy task fallback only for 1 or true", () => {
    expect(legacyTasksAllowed({ DD_ALLOW_LEGACY_TASKS: "1" })).toBe(true);
    expect(legacyTasksAllowed({ DD_ALLOW_LEGACY_TASKS: "TRUE" })).toBe(true);
    expect(legacyTasksAllowed({ DD_ALLOW_LEGACY_TASKS: "0" })).toBe(false);
    expect(legacyTasksAllowed({})).toBe(false);
  });
});
