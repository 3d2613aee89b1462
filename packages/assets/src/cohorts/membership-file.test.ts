import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { smallSpec, type TempDir, tempDir, writeRawTree } from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { readCohortAxes } from "./axes.ts";
import { buildCartesianMembership } from "./cartesian.ts";
import { CohortError, MembershipConflictError, MembershipIntegrityError } from "./errors.ts";
import { readMembershipCsv, readPreviousMembers, writeMembershipCsv } from "./membership-file.ts";
import { MEMBERSHIP_COLUMNS, type Membership } from "./membership-schema.ts";

let tmp: TempDir;
let root: string;
let file: string;
let membership: Membership;

beforeEach(() => {
  tmp = tempDir("dd-membership-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
  membership = buildCartesianMembership(readCohortAxes(root), "cohort-m");
  file = path.join(root, "cohorts", "cohort-m", "membership.csv");
});
afterEach(() => tmp.cleanup());

const lines = () => fs.readFileSync(file, "utf8").split("\n");

describe("writeMembershipCsv", () => {
  it("writes the union schema in the plan's order, with empty cells where a column does not apply", () => {
    writeMembershipCsv(file, membership);
    const [header, draft] = lines();
    expect(header).toBe(MEMBERSHIP_COLUMNS.join(","));
    expect(header.startsWith("stage,gen_id,cohort_id,")).toBe(true);
    const cells = draft.split(",");
    expect(cells).toHaveLength(MEMBERSHIP_COLUMNS.length);
    expect(cells.slice(0, 1)).toEqual(["draft"]);
    expect(cells.slice(8)).toEqual(["", "", "", "", "", "", "", ""]);
    expect(fs.readFileSync(file, "utf8")).not.toMatch(/\bnan\b/i);
  });

  it("orders rows drafts, essays, evaluations and leaves no temp file behind", () => {
    writeMembershipCsv(file, membership);
    const stages = lines()
      .slice(1, -1)
      .map((l) => l.split(",")[0]);
    expect(stages).toEqual([
      ...Array(2).fill("draft"),
      ...Array(4).fill("essay"),
      ...Array(16).fill("evaluation"),
    ]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["membership.csv"]);
  });

  it("round-trips: reading the file gives the membership back", () => {
    writeMembershipCsv(file, membership);
    expect(readMembershipCsv(file, "cohort-m")).toEqual(membership);
  });
});

describe("readMembershipCsv", () => {
  function edit(fn: (rows: string[]) => string[]): void {
    writeMembershipCsv(file, membership);
    fs.writeFileSync(file, fn(lines()).join("\n"));
  }

  it("drops repeated (stage, gen_id) rows, keeping the first", () => {
    edit((rows) => [...rows.slice(0, -1), rows[1], rows[5], ""]);
    expect(readMembershipCsv(file, "cohort-m")).toEqual(membership);
  });

  it("rejects two rows of one gen_id with different cells, naming both lines and the differing cells", () => {
    edit((rows) => [...rows.slice(0, -1), rows[1].replace(",combo-a,", ",combo-z,"), ""]);
    const err = thrown(() => readMembershipCsv(file, "cohort-m"), MembershipConflictError);
    const genId = membership.rows.draft[0][0];
    expect(err.message).toMatch(
      new RegExp(
        `membership\\.csv: two draft rows for gen_id ${genId} \\(lines 2 and 24\\) differ: combo_id "combo-a" vs "combo-z"$`,
      ),
    );
    expect(err.context).toMatchObject({ gen_id: genId, line: 2, other_line: 24, column: "combo_id" });
    expect(err.hint).toMatch(/delete the wrong row \(identical repeats are tolerated\)/);
  });

  it("reads a file without the optional parser column as empty cells", () => {
    edit((rows) => rows.map((r) => r.split(",").slice(0, -1).join(",")));
    const back = readMembershipCsv(file, "cohort-m");
    expect(back.rows.evaluation.every((r) => r[7] === "")).toBe(true);
  });

  it("rejects an unknown stage, naming the line", () => {
    edit((rows) => rows.map((r, i) => (i === 3 ? r.replace(/^essay/, "essays") : r)));
    const err = thrown(() => readMembershipCsv(file, "cohort-m"), CohortError);
    expect(err.message).toMatch(/line 4, column "stage": unknown stage "essays"/);
  });

  it("rejects an empty required cell", () => {
    edit((rows) => rows.map((r, i) => (i === 1 ? r.replace(",combo-a,", ",,") : r)));
    expect(thrown(() => readMembershipCsv(file, "cohort-m"), CohortError).context).toMatchObject({
      line: 2,
      column: "combo_id",
    });
  });

  it("rejects a row of another cohort", () => {
    expect(() => {
      writeMembershipCsv(file, membership);
      readMembershipCsv(file, "cohort-other");
    }).toThrow(/belongs to cohort "cohort-m", not "cohort-other"/);
  });

  it("rejects hand edits that leave an essay without its draft, with line numbers", () => {
    edit((rows) => rows.filter((_, i) => i !== 1));
    const err = thrown(() => readMembershipCsv(file, "cohort-m"), MembershipIntegrityError);
    expect(err.message).toContain("2 essay row(s) without their parent draft");
    expect(err.message).toMatch(/essay \w+ \(line 3\)/);
  });
});

describe("readPreviousMembers", () => {
  it("collects the gen_ids per stage of an existing membership", () => {
    expect(readPreviousMembers(file)).toBeUndefined();
    writeMembershipCsv(file, membership);
    const previous = readPreviousMembers(file);
    expect(
      previous?.ok && [previous.ids.draft.size, previous.ids.essay.size, previous.ids.evaluation.size],
    ).toEqual([2, 4, 16]);
  });
});
