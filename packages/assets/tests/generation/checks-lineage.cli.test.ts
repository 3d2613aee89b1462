/**
 * Asset checks and generation lineage through the `assets` binary: a blocking check stops the
 * downstream of the failing partitions only; `+evaluation_response --partition X` builds just
 * X's draft and essay first; `assets lineage` prints the chain.
 */
import fs from "node:fs";
import path from "node:path";
import type { RunSummary } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { materializeOk, runCli, writeProjectConfig } from "./helpers/cli.ts";
import { gensFiles, membershipRows, type TempProject, tempProject } from "./helpers/data-root.ts";

let project: TempProject;

beforeEach(async () => {
  project = tempProject("gen-checks-");
  writeProjectConfig(project.dir);
  await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
});
afterEach(() => project.cleanup());

const dirsOf = (stage: string): string[] => [
  ...new Set(
    gensFiles(project.dataRoot)
      .filter((f) => f.startsWith(`${stage}/`))
      .map((f) => f.split("/")[1]),
  ),
];

describe("asset checks (CLI)", () => {
  it("an unrendered template stops the responses of the prompts it made, and only those", async () => {
    // {% raw %} leaves template syntax in the rendered prompt: what no_template_syntax catches.
    const template = path.join(project.dataRoot, "1_raw", "generation_templates", "essay", "short-essay.txt");
    fs.appendFileSync(template, "{% raw %}{{ forgotten_variable }}{% endraw %}\n");
    const rows = membershipRows(project.dataRoot).filter((r) => r.stage === "essay");
    const llmEssays = rows.filter((r) => r.essay_template === "short-essay").map((r) => r.gen_id);
    const copyEssays = rows.filter((r) => r.essay_template === "draft-as-essay").map((r) => r.gen_id);
    expect(llmEssays.length).toBeGreaterThan(0);
    expect(copyEssays.length).toBeGreaterThan(0);

    // No step failed, but a blocking check held steps back: the run failed, exit 1.
    const materialized = await runCli(project.dir, [
      "materialize",
      "--select",
      "group:generation_draft,group:generation_essays",
      "--missing",
      "--json",
    ]);
    expect(materialized.code).toBe(1);
    const run = JSON.parse(materialized.stdout) as RunSummary;
    expect(run).toMatchObject({ status: "failed", failed: 0 });
    expect(run.checks.failed).toBe(llmEssays.length);
    expect(run.checks.failures.map((f) => [f.assetKey, f.checkName, f.blocking]).sort()).toEqual(
      llmEssays.map(() => ["essay_prompt", "no_template_syntax", true]),
    );
    expect(run.checks.failures[0].description).toContain("{{ forgotten_variable }}");
    expect(run.skipped).toBe(llmEssays.length);
    const finished = (id: string) =>
      fs.existsSync(path.join(project.dataRoot, "gens", "essay", id, "parsed.txt"));
    expect(llmEssays.filter(finished)).toEqual([]);
    expect(copyEssays.filter(finished)).toEqual(copyEssays);
    expect(run.checks.passed).toBeGreaterThan(0);

    const check = await runCli(project.dir, ["check", "essay_prompt"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("no_template_syntax");
    expect(check.stdout).toMatch(
      new RegExp(`essay_prompt\\[${llmEssays[0]}\\] no_template_syntax \\(blocking\\)`),
    );

    const show = await runCli(project.dir, ["show", "essay_prompt", "--json"]);
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout) as {
      checks: { summary: Array<{ checkName: string; passed: number; failed: number; blocking: number }> };
    };
    expect(shown.checks.summary).toEqual([
      expect.objectContaining({
        checkName: "no_template_syntax",
        passed: copyEssays.length,
        failed: llmEssays.length,
        blocking: llmEssays.length,
      }),
    ]);

    // The responses' own checks passed on the essays that were generated.
    const responses = await runCli(project.dir, ["check", "essay_response,draft_response", "--json"]);
    expect(responses.code).toBe(0);
    const summary = JSON.parse(responses.stdout) as { failed: number; passed: number };
    expect(summary.failed).toBe(0);
    expect(summary.passed).toBeGreaterThan(0);
  });
});

describe("generation lineage (CLI)", () => {
  it("+evaluation_response --partition X builds exactly X's draft, essay and evaluation", async () => {
    const rows = membershipRows(project.dataRoot);
    const evaluation = rows.find((r) => r.stage === "evaluation")!;
    const essay = rows.find((r) => r.stage === "essay" && r.gen_id === evaluation.parent_gen_id)!;
    const draft = rows.find((r) => r.stage === "draft" && r.gen_id === essay.parent_gen_id)!;
    expect(gensFiles(project.dataRoot)).toEqual([]);

    const run = await materializeOk(project.dir, [
      "--select",
      "+evaluation_response",
      "--partition",
      evaluation.gen_id,
    ]);
    expect(run.status).toBe("succeeded");
    expect(dirsOf("draft")).toEqual([draft.gen_id]);
    expect(dirsOf("essay")).toEqual([essay.gen_id]);
    expect(dirsOf("evaluation")).toEqual([evaluation.gen_id]);

    const json = await runCli(project.dir, ["lineage", essay.gen_id, "--json"]);
    expect(json.code).toBe(0);
    const lineage = JSON.parse(json.stdout) as {
      nodes: Array<{
        role: string;
        partitions: string;
        partitionKey: string;
        description: Record<string, unknown>;
        assets: Array<{ assetKey: string; status: string }>;
      }>;
    };
    const evaluations = rows.filter((r) => r.stage === "evaluation" && r.parent_gen_id === essay.gen_id);
    expect(lineage.nodes.map((n) => [n.role, n.partitions, n.partitionKey])).toEqual([
      ["ancestor", "draft_gens", draft.gen_id],
      ["self", "essay_gens", essay.gen_id],
      ...evaluations.map((e) => ["descendant", "evaluation_gens", e.gen_id]),
    ]);
    expect(lineage.nodes[0].description).toMatchObject({
      template: draft.draft_template,
      model: draft.generation_model,
      dir: path.join("data", "gens", "draft", draft.gen_id),
      files: ["prompt.txt", "raw.txt", "parsed.txt", "metadata.json"],
    });
    const done = lineage.nodes.find((n) => n.partitionKey === evaluation.gen_id)!;
    expect(done.assets.map((a) => [a.assetKey, a.status])).toEqual([
      ["evaluation_prompt", "materialized"],
      ["evaluation_response", "materialized"],
    ]);
    const pending = lineage.nodes.find(
      (n) => n.role === "descendant" && n.partitionKey !== evaluation.gen_id,
    );
    if (pending) expect(pending.assets.map((a) => a.status)).toEqual(["missing", "missing"]);

    const text = await runCli(project.dir, ["lineage", evaluation.gen_id]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`draft_gens ${draft.gen_id}`);
    expect(text.stdout).toContain(`-> essay_gens ${essay.gen_id}`);
    expect(text.stdout).toContain(`-> evaluation_gens ${evaluation.gen_id}`);
  });
});
