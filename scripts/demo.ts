/**
 * npm run demo: the whole DayDreaming loop on the sample data in data/, in this process,
 * with the offline LLM (deterministic placeholder text: no network, no API key).
 *
 * cohort -> task tables -> drafts -> essays -> evaluations -> parsed_scores, then the top
 * essays by mean score with the directories of their files. Generations are materialized
 * with `missing` partitions, so a second run regenerates nothing.
 */
import path from "node:path";
import { GensStore, parsedScoresPath, rankEssays, readScoreTable, selectTop } from "@daydream/assets";
import { resolveProject } from "@daydream/cli";
import {
  AssetsError,
  type Instance,
  loadDefinitions,
  materialize,
  openInstance,
  type PartitionsSelector,
  type RunSummary,
} from "@daydream/core";

interface DemoStep {
  label: string;
  selection: string;
  partitions?: PartitionsSelector;
}

const STEPS: DemoStep[] = [
  { label: "cohort", selection: "cohort_id,cohort_membership" },
  { label: "task tables", selection: "group:task_definitions" },
  { label: "drafts", selection: "draft_prompt,draft_response", partitions: "missing" },
  { label: "essays", selection: "essay_prompt,essay_response", partitions: "missing" },
  { label: "evaluations", selection: "evaluation_prompt,evaluation_response", partitions: "missing" },
  { label: "scores", selection: "parsed_scores" },
];
const TOP_N = 5;
const CONCURRENCY = 8;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function describeRun(step: DemoStep, s: RunSummary): string {
  const label = step.label.padEnd(12);
  if (s.totalSteps === 0) return `  ✓ ${label}nothing to regenerate: every generation exists`;
  const mark = s.status === "succeeded" ? "✓" : "✗";
  const counts = `${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} skipped`;
  const steps = `${s.totalSteps} step${s.totalSteps === 1 ? "" : "s"}`;
  return `  ${mark} ${label}${steps}: ${counts} (${seconds(s.durationMs)})  [${step.selection}]`;
}

function printFailures(s: RunSummary): void {
  for (const f of s.failures.slice(0, 10)) {
    process.stderr.write(`      ${f.assetKey}${f.partitionKey ? `[${f.partitionKey}]` : ""}: ${f.error}\n`);
  }
  process.stderr.write(`    logs: npx assets logs ${s.runId}  (${s.logPath})\n`);
}

/** One line per top essay: score, its template, and where its files (and its draft's) are. */
async function printTopEssays(dataRoot: string): Promise<void> {
  const ranking = rankEssays(readScoreTable(parsedScoresPath(dataRoot)));
  const store = new GensStore(dataRoot);
  const rows = [["rank", "mean", "evals", "essay gen_id", "essay template", "files (essay)", "draft"]];
  for (const essay of selectTop(ranking, TOP_N)) {
    const meta = await store.readMetadata("essay", essay.essayGenId);
    rows.push([
      String(essay.rank),
      essay.meanScore.toFixed(2),
      String(essay.evaluations),
      essay.essayGenId,
      meta.template_id,
      shown(store.dir("essay", essay.essayGenId)),
      meta.parent_gen_id === "" ? "-" : shown(store.dir("draft", meta.parent_gen_id)),
    ]);
  }
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  const numeric = new Set([0, 1, 2]);
  console.log(`\nTop ${rows.length - 1} of ${ranking.essays.length} essays by mean evaluation score:`);
  for (const r of rows) {
    console.log(
      `  ${r.map((c, k) => (numeric.has(k) ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join("  ")}`.trimEnd(),
    );
  }
  console.log("\nEach directory holds prompt.txt, raw.txt, parsed.txt and metadata.json.");
  console.log(`Scores: ${shown(parsedScoresPath(dataRoot))}`);
  console.log("Offline text is a deterministic placeholder, so these scores say nothing about the essays;");
  console.log(
    "set DD_LLM=openai and DD_LLM_API_KEY (see README) and use `npx assets materialize` for real runs.",
  );
}

/** A path for display: relative when it lies under the current directory. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

async function runSteps(instance: Instance, defsPath: string): Promise<boolean> {
  const defs = await loadDefinitions(defsPath);
  for (const step of STEPS) {
    const summary = await materialize(defs, {
      instance,
      selection: step.selection,
      partitions: step.partitions,
      concurrency: CONCURRENCY,
    });
    console.log(describeRun(step, summary));
    if (summary.status !== "succeeded") {
      printFailures(summary);
      return false;
    }
  }
  return true;
}

async function main(): Promise<number> {
  // The demo is the offline loop whatever the shell says; real providers go through `npx assets`.
  process.env.DD_LLM = "offline";
  const project = resolveProject({ cwd: process.cwd() });
  const dataRoot = process.env.DD_DATA_ROOT ?? "data";
  console.log(`DayDreaming demo on ${shown(dataRoot)}/ (instance ${shown(project.home)}/, offline LLM)\n`);
  const instance = openInstance(project.home);
  try {
    if (!(await runSteps(instance, project.definitionsPath))) return 1;
  } finally {
    instance.close();
  }
  await printTopEssays(dataRoot);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof AssetsError ? err.describe() : String(err)}\n`);
  process.exitCode = err instanceof AssetsError && err.userError ? 2 : 1;
}
