import { describe, expect, it } from "vitest";
import { thrown } from "../../tests/helpers/thrown.ts";
import { MembershipIntegrityError } from "./errors.ts";
import { assertParentIntegrity, checkParentIntegrity } from "./integrity.ts";
import type { Membership } from "./membership-schema.ts";

const draft = (id: string) => [id, "c", `t-${id}`, "combo", "d1", "m", "p/m"];
const essay = (id: string, parent: string) => [
  id,
  "c",
  `t-${id}`,
  parent,
  "dt",
  "combo",
  "d1",
  "e1",
  "m",
  "p/m",
];
const evaluation = (id: string, parent: string) => [
  id,
  "c",
  `t-${id}`,
  parent,
  "v1",
  "ev",
  "p/ev",
  "in_last_line",
];

function membership(rows: Partial<Membership["rows"]>): Membership {
  return { cohortId: "c", rows: { draft: [], essay: [], evaluation: [], ...rows } };
}

describe("parent integrity", () => {
  it("accepts a membership whose essays and evaluations all have their parents", () => {
    const m = membership({
      draft: [draft("D1")],
      essay: [essay("E1", "D1")],
      evaluation: [evaluation("V1", "E1")],
    });
    expect(checkParentIntegrity(m)).toEqual({ counts: { essay: 0, evaluation: 0 }, sample: [] });
    expect(() => assertParentIntegrity(m)).not.toThrow();
  });

  it("rejects an essay row whose parent draft is not in the cohort", () => {
    const m = membership({ draft: [draft("D1")], essay: [essay("E1", "D1"), essay("E2", "D-missing")] });
    const e = thrown(() => assertParentIntegrity(m, { lines: { essay: [4, 5] } }), MembershipIntegrityError);
    expect(e.message).toContain("1 essay row(s) without their parent draft, 0 evaluation row(s)");
    expect(e.message).toBe(
      "cohort c: parent integrity violated: 1 essay row(s) without their parent draft, 0 evaluation row(s) without their parent essay; " +
        'first 1 offending row(s): essay E2 (line 5) has parent_gen_id "D-missing", not a draft gen_id of the cohort',
    );
    expect(e.context).toMatchObject({ essay_violations: 1, evaluation_violations: 0 });
    expect(e.hint).toMatch(/add the missing parent rows/);
  });

  it("rejects evaluation rows whose parent essay is not in the cohort, counting all and showing the first 5", () => {
    const evals = Array.from({ length: 7 }, (_, i) => evaluation(`V${i}`, `E-gone-${i}`));
    const m = membership({ draft: [draft("D1")], essay: [essay("E1", "D1")], evaluation: evals });
    const report = checkParentIntegrity(m);
    expect(report.counts).toEqual({ essay: 0, evaluation: 7 });
    expect(report.sample.map((v) => v.genId)).toEqual(["V0", "V1", "V2", "V3", "V4"]);
    const e = thrown(() => assertParentIntegrity(m), MembershipIntegrityError);
    expect(e.message).toMatch(
      /7 evaluation row\(s\) without their parent essay; first 5 offending row\(s\): evaluation V0 /,
    );
    expect(e.message.split("; ")).toHaveLength(6);
    expect(e.message).not.toContain("\n");
  });
});
