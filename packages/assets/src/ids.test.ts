import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertSafeId,
  type CohortManifest,
  canonicalJson,
  comboId,
  computeCohortId,
  PIPELINE_VERSION,
  reserveGenId,
  UnsafeIdError,
} from "./ids.ts";

const vectorsDir = path.join(import.meta.dirname, "../tests/fixtures/vectors");
const readVectors = (name: string) => JSON.parse(fs.readFileSync(path.join(vectorsDir, name), "utf8"));

interface GenIdCase {
  category: string;
  stage: string;
  task_id: string;
  run_id: string | null;
  salt: string | null;
  length: number;
  expected: string;
}
interface ComboCase {
  concept_ids: string[];
  description_level: string;
  k_max: number;
  sorted_concept_ids: string[];
  expected: string;
}
interface CohortCase {
  kind: string;
  manifest: CohortManifest;
  explicit?: string;
  canonical_json: string | null;
  expected: string;
}

const genIdCases: GenIdCase[] = readVectors("reserve_gen_id.json");
const comboCases: ComboCase[] = readVectors("combo_id.json");
const cohortVectors: { pipeline_version: string; cases: CohortCase[] } = readVectors("cohort_id.json");

describe("reserveGenId", () => {
  it.each(
    genIdCases.map((c, i) => [`#${i} ${c.category} ${c.stage}/${JSON.stringify(c.task_id)}`, c] as const),
  )("matches the original: %s", (_name, c) => {
    expect(reserveGenId(c.stage, c.task_id, { runId: c.run_id, salt: c.salt, length: c.length })).toBe(
      c.expected,
    );
  });

  it("defaults to 16 characters and treats empty run id and salt as not given", () => {
    const plain = reserveGenId("draft", "combo_v1_abc__t__m");
    expect(plain).toMatch(/^[0-9a-z]{16}$/);
    expect(reserveGenId("draft", "combo_v1_abc__t__m", { runId: "", salt: "" })).toBe(plain);
    expect(reserveGenId("draft", "combo_v1_abc__t__m", { runId: "cohort-x" })).not.toBe(plain);
  });

  it("keeps the original's collision between a `|` in the task id and a separate run id", () => {
    expect(reserveGenId("essay", "a|b")).toBe(reserveGenId("essay", "a", { runId: "b" }));
    expect(reserveGenId("essay", "a|b")).toBe(reserveGenId("essay", "a", { salt: "b" }));
  });

  it("rejects a non-positive length and a lone surrogate", () => {
    expect(() => reserveGenId("draft", "x", { length: 0 })).toThrow(UnsafeIdError);
    expect(() => reserveGenId("draft", "x\ud83d")).toThrow(/lone UTF-16 surrogate/);
  });
});

describe("comboId", () => {
  it.each(comboCases.map((c, i) => [`#${i} ${JSON.stringify(c.concept_ids)}`, c] as const))(
    "matches the original: %s",
    (_name, c) => {
      expect(comboId(c.concept_ids, c.description_level, c.k_max)).toBe(c.expected);
    },
  );

  it("sorts concept ids by code point, not UTF-16 unit, before hashing", () => {
    // U+FF21 sorts before U+1F642 by code point but after it by UTF-16 unit (0xD83D).
    // Expected value from Python: "combo_v1_" + sha256("\uFF21|\U0001F642|sentence|2")[:12];
    // sorting by UTF-16 unit would give combo_v1_f016cdc0dc9a.
    expect(comboId(["\u{1F642}", "\uFF21"], "sentence", 2)).toBe("combo_v1_a2fb60efe20f");
  });

  it("does not depend on the input order of the concepts", () => {
    expect(comboId(["b", "a", "c"], "paragraph", 3)).toBe(comboId(["c", "b", "a"], "paragraph", 3));
  });
});

describe("computeCohortId", () => {
  it("uses the pipeline version the vectors were computed with", () => {
    expect(PIPELINE_VERSION).toBe(cohortVectors.pipeline_version);
  });

  const named = cohortVectors.cases.map((c, i) => [`#${i} ${c.kind} -> ${c.expected}`, c] as const);

  it.each(named)("matches the original id: %s", (_name, c) => {
    expect(computeCohortId(c.manifest, { kind: c.kind, explicit: c.explicit })).toBe(c.expected);
  });

  it.each(named.filter(([, c]) => c.canonical_json !== null))(
    "hashes the original canonical JSON: %s",
    (_name, c) => {
      const stable = {
        combos: c.manifest.combos ?? null,
        llms: c.manifest.llms ?? null,
        templates: c.manifest.templates ?? null,
        prompt_versions: c.manifest.prompt_versions ?? null,
        pipeline_version: cohortVectors.pipeline_version,
      };
      expect(canonicalJson(stable)).toBe(c.canonical_json);
    },
  );

  it("defaults the kind to `cohort` and ignores keys outside the hashed fields", () => {
    const manifest = { combos: ["c1"], templates: { draft: ["d"], essay: [], evaluation: [] } };
    const id = computeCohortId(manifest);
    expect(id).toMatch(/^cohort-[0-9a-f]{12}$/);
    expect(computeCohortId({ ...manifest, note: "ignored" })).toBe(id);
    expect(computeCohortId({ ...manifest, combos: ["c2"] })).not.toBe(id);
  });

  it("returns a non-empty explicit id unchanged and hashes when it is empty", () => {
    expect(computeCohortId({}, { explicit: "my-cohort" })).toBe("my-cohort");
    expect(computeCohortId({}, { explicit: "" })).toBe(computeCohortId({}));
  });
});

describe("canonicalJson", () => {
  it("escapes like Python's ensure_ascii and leaves `/` alone", () => {
    expect(canonicalJson({ b: "é\u007f/🙂", a: '"\\\n\t\u0001' })).toBe(
      '{"a":"\\"\\\\\\n\\t\\u0001","b":"\\u00e9\\u007f/\\ud83d\\ude42"}',
    );
  });

  it("sorts keys by code point at every level", () => {
    expect(canonicalJson({ z: { "\u{1F642}": 1, "\uFF21": 2 }, a: [true, null] })).toBe(
      '{"a":[true,null],"z":{"\\uff21":2,"\\ud83d\\ude42":1}}',
    );
  });

  it("writes numbers as Python does", () => {
    expect(canonicalJson([1, -3, 0.5, 1e-5, -2.5e-7, 123.25, 1e22])).toBe(
      "[1,-3,0.5,1e-05,-2.5e-07,123.25,1e+22]",
    );
  });

  it("refuses values Python's json could not have produced", () => {
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(UnsafeIdError);
  });
});

describe("assertSafeId", () => {
  it("accepts ordinary ids", () => {
    for (const id of [
      "cohort-1a2b3c4d5e6f",
      "abc123def456ghij",
      "my.cohort_v2",
      "ünïcode-kind",
      "two words",
    ]) {
      expect(assertSafeId(id, "cohort id")).toBe(id);
    }
  });

  it.each([
    ["empty", ""],
    ["current directory", "."],
    ["parent directory", ".."],
    ["embedded ..", "a..b"],
    ["slash", "a/b"],
    ["backslash", "a\\b"],
    ["NUL", "a\u0000b"],
    ["newline", "a\nb"],
    ["DEL", "a\u007f"],
    ["leading space", " a"],
    ["only spaces", "   "],
    ["colon", "a:b"],
    ["asterisk", "a*"],
    ["too long", "x".repeat(256)],
  ])("rejects an id with %s, naming the id and giving a hint", (_label, id) => {
    try {
      assertSafeId(id, "cohort id");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsafeIdError);
      expect((err as UnsafeIdError).message).toContain(JSON.stringify(id.slice(0, 60)).slice(0, -1));
      expect((err as UnsafeIdError).message).toMatch(/^cohort id /);
      expect((err as UnsafeIdError).hint).toMatch(/^partition keys and ids become file and directory names/);
    }
  });
});
