import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialize, openInstance } from "@daydream/core";
import definitions from "./packages/assets/src/definitions.ts";
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
process.env.DD_DATA_ROOT = root;
const instance = openInstance(path.join(tmp, "home"));
for (const k of [0, 1]) {
const t = performance.now();
await materialize(definitions, { selection: "cohort_id,cohort_membership,draft_generation_tasks,essay_generation_tasks,evaluation_tasks", instance, logLevel: "warn", concurrency: 1,
  onProgress: (e) => { if (e.type === "step_success") console.log(e.assetKey, e.durationMs.toFixed(0), "ms", (process.memoryUsage().rss/1e6).toFixed(0), "MB rss", (process.memoryUsage().heapUsed/1e6).toFixed(0), "MB heap"); } });
console.log("total", (performance.now() - t).toFixed(0), "maxRSS", (process.resourceUsage().maxRSS/1024).toFixed(0));
}
fs.rmSync(tmp, { recursive: true, force: true });
