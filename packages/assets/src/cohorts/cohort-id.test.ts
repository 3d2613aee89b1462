import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  smallSpec,
  type TempDir,
  tempDir,
  writeRawTree,
  writeSelectedEssays,
} from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { computeCohortId } from "../ids.ts";
import { resolveCohortId, writeCohortFiles } from "./cohort-id.ts";
import { CohortError } from "./errors.ts";

let tmp: TempDir;
let root: string;

beforeEach(() => {
  tmp = tempDir("dd-cohort-id-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
});
afterEach(() => tmp.cleanup());

describe("resolveCohortId", () => {
  it("derives a deterministic id from the sorted active axes", () => {
    const r = resolveCohortId(root, { env: {} });
    expect(r.manifest).toEqual({
      combos: ["combo-a", "combo-b"],
      templates: { draft: ["d1"], essay: ["e1", "e2"], evaluation: ["v1", "v2"] },
      llms: { generation: ["gen-1"], evaluation: ["ev-1", "ev-2"] },
    });
    expect(r.cohortId).toBe(computeCohortId(r.manifest));
    expect(r.cohortId).toMatch(/^cohort-[0-9a-f]{12}$/);
    expect(r).toMatchObject({ source: "manifest", mode: "cartesian" });
  });

  it("changes the id when an axis changes", () => {
    const before = resolveCohortId(root, { env: {} }).cohortId;
    fs.appendFileSync(path.join(root, "1_raw/llm_models.csv"), "ev-3,p/ev-3,t,ev-3,False,True,\n");
    expect(resolveCohortId(root, { env: {} }).cohortId).not.toBe(before);
  });

  it("takes DD_COHORT, and the run config override over it", () => {
    expect(resolveCohortId(root, { env: { DD_COHORT: "from-env" } })).toMatchObject({
      cohortId: "from-env",
      source: "DD_COHORT",
    });
    expect(resolveCohortId(root, { env: { DD_COHORT: "from-env" }, override: "from-config" })).toMatchObject({
      cohortId: "from-config",
      source: "config override",
    });
  });

  it.each(["../escape", "a/b", "bad\tid", ".", ".."])("rejects the unsafe id %j", (id) => {
    const viaEnv = thrown(() => resolveCohortId(root, { env: { DD_COHORT: id } }), CohortError);
    expect(viaEnv.code).toBe("COHORT_ID_UNSAFE");
    expect(viaEnv.hint).toContain("DD_COHORT");
  });

  it("names the run config when the override is unsafe", () => {
    expect(thrown(() => resolveCohortId(root, { env: {}, override: "x/y" }), CohortError).hint).toContain(
      "run config",
    );
  });

  it("reports the curated mode when selected_essays.txt exists", () => {
    writeSelectedEssays(root, "E1\n");
    expect(resolveCohortId(root, { env: {} }).mode).toBe("from_essays");
  });
});

describe("writeCohortFiles", () => {
  const at = (iso: string) => () => new Date(iso);

  it("writes manifest.json and cohort.yaml, keeping created_at on a re-run so files stay byte-identical", () => {
    const r = resolveCohortId(root, { env: {} });
    const first = writeCohortFiles(root, r, { now: at("2025-09-09T12:34:56.789Z") });
    const yamlFile = path.join(root, "cohorts", r.cohortId, "cohort.yaml");
    const manifestFile = path.join(root, "cohorts", r.cohortId, "manifest.json");
    const yaml = fs.readFileSync(yamlFile, "utf8");
    expect(yaml).toBe(
      `id: "${r.cohortId}"\nmode: cartesian\nartifact_reuse: none\nnotes: ""\ncreated_at: "2025-09-09T12:34:56Z"\n`,
    );
    expect(JSON.parse(fs.readFileSync(manifestFile, "utf8"))).toEqual(r.manifest);
    expect(first).toMatchObject({ manifestWritten: true, yamlWritten: true });
    const again = writeCohortFiles(root, r, { now: at("2030-01-01T00:00:00Z") });
    expect(again).toMatchObject({ manifestWritten: false, yamlWritten: false });
    expect(fs.readFileSync(yamlFile, "utf8")).toBe(yaml);
  });

  it("writes manifest.json as the original did: two-space indent, no trailing newline", () => {
    const r = resolveCohortId(root, { env: {} });
    writeCohortFiles(root, r, {});
    const text = fs.readFileSync(path.join(root, "cohorts", r.cohortId, "manifest.json"), "utf8");
    expect(text).toBe(
      [
        "{",
        '  "combos": [',
        '    "combo-a",',
        '    "combo-b"',
        "  ],",
        '  "templates": {',
        '    "draft": [',
        '      "d1"',
        "    ],",
        '    "essay": [',
        '      "e1",',
        '      "e2"',
        "    ],",
        '    "evaluation": [',
        '      "v1",',
        '      "v2"',
        "    ]",
        "  },",
        '  "llms": {',
        '    "generation": [',
        '      "gen-1"',
        "    ],",
        '    "evaluation": [',
        '      "ev-1",',
        '      "ev-2"',
        "    ]",
        "  }",
        "}",
      ].join("\n"),
    );
  });

  it("records notes and keeps them when not given again", () => {
    const r = resolveCohortId(root, { env: {} });
    writeCohortFiles(root, r, { notes: "re-check top essays", now: at("2025-01-01T00:00:00Z") });
    const { yaml } = writeCohortFiles(root, r, {});
    expect(yaml.notes).toBe("re-check top essays");
  });

  it("refuses to overwrite a cohort.yaml that is not valid YAML", () => {
    const r = resolveCohortId(root, { env: {} });
    const file = path.join(root, "cohorts", r.cohortId, "cohort.yaml");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "id: [unclosed\n");
    expect(thrown(() => writeCohortFiles(root, r), CohortError).code).toBe("COHORT_YAML_INVALID");
    expect(fs.readFileSync(file, "utf8")).toBe("id: [unclosed\n");
  });
});
