/**
 * Cohort benchmark: cohort_id + cohort_membership + the three task tables (including
 * partition registration) over a generated Cartesian raw tree of N combos x 5 draft
 * templates x 5 generation models x 4 essay templates x 5 evaluation templates x 4
 * evaluation models (N=40: 1,000 drafts, 4,000 essays, 80,000 evaluations).
 * Each scale runs in its own child process so peak RSS is that scale's alone.
 *
 *   npx tsx bench/cohort.bench.ts            # 1x and 10x
 *   npx tsx bench/cohort.bench.ts --scale 1  # one scale, in this process
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialize, openInstance } from "@daydream/core";
import { forgetMembership } from "../packages/assets/src/cohorts/membershipCache.ts";
import definitions from "../packages/assets/src/definitions.ts";
import { type RawTreeSpec, writeRawTree } from "../packages/assets/tests/helpers/rawTree.ts";

const SELECTION = "cohort_id,cohort_membership,draft_generation_tasks,essay_generation_tasks,evaluation_tasks";

function spec(combos: number): RawTreeSpec {
  const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  return {
    concepts: range(combos + 1, (i) => `concept-${i}`).map((id) => ({ id, name: id, sentence: `${id} in one sentence.` })),
    combos: range(combos, (i) => `combo-${i}`).map((comboId, i) => ({ comboId, concepts: [`concept-${i}`, `concept-${i + 1}`] })),
    draftTemplates: range(5, (i) => `draft-tpl-${i}`).map((id) => ({ id, extra: "essay_idea_last" })),
    essayTemplates: range(4, (i) => `essay-tpl-${i}`).map((id) => ({ id, extra: "llm" })),
    evaluationTemplates: range(5, (i) => `eval-tpl-${i}`).map((id) => ({ id, extra: "in_last_line" })),
    models: [
      ...range(5, (i) => ({ id: `gen-model-${i}`, model: `provider/gen-model-${i}`, gen: "True", evaluation: "False" })),
      ...range(4, (i) => ({ id: `eval-model-${i}`, model: `provider/eval-model-${i}`, gen: "False", evaluation: "True" })),
    ],
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Baseline: the same number of CSV rows (membership + task tables) written with no logic. */
function plainCsvWrite(dir: string, rows: number): number {
  const file = path.join(dir, "plain.csv");
  const line = "evaluation,0a1b2c3d4e5f6g7h,cohort-0123456789ab,,,,,,,0a1b2c3d4e5f6g7h,,0a1b2c3d4e5f6g7h__eval-tpl-1__eval-model-1,eval-tpl-1,eval-model-1,provider/eval-model-1,in_last_line\n";
  const t = performance.now();
  const fd = fs.openSync(file, "w");
  let buffer = "";
  for (let i = 0; i < rows; i++) {
    buffer += line;
    if (buffer.length >= 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = "";
    }
  }
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  return performance.now() - t;
}

async function runScale(scale: number, iterations: number): Promise<void> {
  const combos = 40 * scale;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-cohort-bench-"));
  try {
    const root = path.join(tmp, "data");
    writeRawTree(root, spec(combos));
    process.env.DD_DATA_ROOT = root;
    const fresh: number[] = [];
    const rerun: number[] = [];
    const baseline: number[] = [];
    let rows = 0;
    for (let i = 0; i < iterations; i++) {
      fs.rmSync(path.join(root, "cohorts"), { recursive: true, force: true });
      forgetMembership();
      const instance = openInstance(path.join(tmp, `home-${i}`));
      let t = performance.now();
      const first = await materialize(definitions, { selection: SELECTION, instance, logLevel: "warn" });
      fresh.push(performance.now() - t);
      if (first.status !== "succeeded") throw new Error(`run failed: ${JSON.stringify(first.failures)}`);
      t = performance.now();
      await materialize(definitions, { selection: SELECTION, instance, logLevel: "warn" });
      rerun.push(performance.now() - t);
      rows = instance.countDynamicPartitions("draft_gens") + instance.countDynamicPartitions("essay_gens") + instance.countDynamicPartitions("evaluation_gens");
      instance.close();
      baseline.push(plainCsvWrite(tmp, rows * 2));
    }
    const label = `${scale}x (${combos} combos, ${rows.toLocaleString("en-US")} gens)`;
    const b = median(baseline);
    const f = median(fresh);
    const r = median(rerun);
    const what = `plain CSV write of ${(rows * 2).toLocaleString("en-US")} rows`;
    console.log(`RESULT cohort+tasks first run ${label} | median ${f.toFixed(0)} ms | baseline ${what}: median ${b.toFixed(0)} ms | ratio ${(f / b).toFixed(1)}`);
    console.log(`RESULT cohort+tasks re-run ${label} | median ${r.toFixed(0)} ms | baseline ${what}: median ${b.toFixed(0)} ms | ratio ${(r / b).toFixed(1)}`);
    console.log(`RESULT peak RSS ${label} | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const scaleArg = process.argv.indexOf("--scale");
if (scaleArg >= 0) {
  const scale = Number(process.argv[scaleArg + 1]);
  await runScale(scale, scale >= 10 ? 3 : 5);
} else {
  for (const scale of [1, 10]) {
    const res = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--scale", String(scale)], { stdio: "inherit" });
    if (res.status !== 0) process.exit(res.status ?? 1);
  }
}
