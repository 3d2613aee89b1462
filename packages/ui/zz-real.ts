import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadDefinitions, materialize, openInstance } from "@daydream/core";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ui-real-"));
fs.cpSync("data", path.join(dir, "data"), { recursive: true });
process.env.DD_DATA_ROOT = path.join(dir, "data");
process.env.DD_LLM = "offline";
const instance = openInstance(path.join(dir, "home"));
const defs = await loadDefinitions("packages/assets/src/definitions.ts");
console.log(
  [...defs.assets.values()]
    .map((a) => `${a.key}(${a.group}${a.partitions ? "," + a.partitions.name : ""})`)
    .join(" "),
);
let t = Date.now();
let s = await materialize(defs, {
  selection: "cohort_id,cohort_membership,group:task_definitions",
  instance,
});
console.log(s.status, s.failures, Date.now() - t);
for (const sel of [
  "draft_prompt,draft_response",
  "essay_prompt,essay_response",
  "evaluation_prompt,evaluation_response",
]) {
  t = Date.now();
  s = await materialize(defs, { selection: sel, partitions: "all", instance });
  console.log(sel, s.status, s.totalSteps, s.failures.slice(0, 3), Date.now() - t);
}
console.log(fs.readdirSync(path.join(dir, "data/cohorts")));
console.log(dir);
