import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openInstance } from "@daydream/core";
import { readCohortAxes } from "./packages/assets/src/cohorts/axes.ts";
import { buildCartesianMembership } from "./packages/assets/src/cohorts/cartesian.ts";
import { assertParentIntegrity } from "./packages/assets/src/cohorts/integrity.ts";
import { writeMembershipCsv, readPreviousMembers, readMembershipCsv } from "./packages/assets/src/cohorts/membershipFile.ts";
import { registerMembershipPartitions } from "./packages/assets/src/cohorts/membership.ts";
import { writeRawTree } from "./packages/assets/tests/helpers/rawTree.ts";
const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const combos = Number(process.argv[2] ?? 40);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-prof-"));
const root = path.join(tmp, "data");
writeRawTree(root, {
    concepts: range(combos + 1, (i) => `concept-${i}`).map((id) => ({ id, name: id, sentence: `${id} in one sentence.` })),
    combos: range(combos, (i) => `combo-${i}`).map((comboId, i) => ({ comboId, concepts: [`concept-${i}`, `concept-${i + 1}`] })),
    draftTemplates: range(5, (i) => `draft-tpl-${i}`).map((id) => ({ id, extra: "essay_idea_last" })),
    essayTemplates: range(4, (i) => `essay-tpl-${i}`).map((id) => ({ id, extra: "llm" })),
    evaluationTemplates: range(5, (i) => `eval-tpl-${i}`).map((id) => ({ id, extra: "in_last_line" })),
    models: [
      ...range(5, (i) => ({ id: `gen-model-${i}`, model: `provider/gen-model-${i}`, gen: "True", evaluation: "False" })),
      ...range(4, (i) => ({ id: `eval-model-${i}`, model: `provider/eval-model-${i}`, gen: "False", evaluation: "True" })),
    ],
});
const instance = openInstance(path.join(tmp, "home"));
const file = path.join(root, "m.csv");
for (const k of [0, 1]) {
  let t = performance.now();
  const lap = (label: string) => { const n = performance.now(); console.log(k, label, (n - t).toFixed(0)); t = n; };
  const axes = readCohortAxes(root); lap("axes");
  const m = buildCartesianMembership(axes, "cohort-x" + (k === 2 ? "" : k)); lap("build");
  assertParentIntegrity(m); lap("integrity");
  readPreviousMembers(file); lap("previous");
  writeMembershipCsv(file, m); lap("write");
  registerMembershipPartitions(instance, m); lap("register");
  readMembershipCsv(file, m.cohortId); lap("read back");
}
fs.rmSync(tmp, { recursive: true, force: true });
