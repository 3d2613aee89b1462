/**
 * `assets materialize --help` documents the whole selection syntax, and every example
 * selection it shows selects, in this project, the assets its comment promises.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeProjectConfig } from "./generation/helpers/cli.ts";
import { type TempProject, tempProject } from "./generation/helpers/data-root.ts";

let project: TempProject;
beforeAll(() => {
  project = tempProject("dd-materialize-help-");
  writeProjectConfig(project.dir);
});
afterAll(() => project.cleanup());

/** What each example of the help selects here; an example missing from this list fails the test. */
const EXAMPLES: Record<string, string[]> = {
  cohort_membership: ["cohort_membership"],
  "group:task_definitions": [
    "content_combinations",
    "draft_generation_tasks",
    "essay_generation_tasks",
    "evaluation_tasks",
    "selected_combo_mappings",
  ],
  evaluation_response: ["evaluation_response"],
  draft_response: ["draft_response"],
  "draft_response*": [
    "draft_response",
    "essay_prompt",
    "essay_response",
    "evaluation_prompt",
    "evaluation_response",
    "parsed_scores",
    "score_pivot",
  ],
  cohort_id: ["cohort_id"],
  'key:"draft_*"': ["draft_generation_tasks", "draft_prompt", "draft_response"],
  "kind:llm and (group:generation_draft or group:generation_essays)": ["draft_response", "essay_response"],
  "group:evaluation and not kind:llm": ["evaluation_prompt"],
  "+draft_prompt": ["content_combinations", "draft_generation_tasks", "draft_prompt"],
  "essay_prompt*": [
    "essay_prompt",
    "essay_response",
    "evaluation_prompt",
    "evaluation_response",
    "parsed_scores",
    "score_pivot",
  ],
  "group:evaluation": ["evaluation_prompt", "evaluation_response"],
  "draft_prompt,draft_response": ["draft_prompt", "draft_response"],
};

/** The --select value of every `$ npx assets materialize` example, unquoted as the shell would. */
function exampleSelections(help: string): string[] {
  return [...help.matchAll(/^ {2}\$ npx assets materialize --select ('[^']+'|\S+)/gm)].map(([, sel]) =>
    sel.startsWith("'") ? sel.slice(1, -1) : sel,
  );
}

describe("assets materialize --help", () => {
  let help: string;
  beforeAll(async () => {
    const res = await runCli(project.dir, ["materialize", "--help"]);
    expect(res.code).toBe(0);
    help = res.stdout;
  });

  it("documents every form of the selection syntax", () => {
    const syntax = help.slice(help.indexOf("Selection syntax"), help.indexOf("Examples:"));
    for (const form of [
      "group:",
      "kind:",
      "tag:",
      'tag:"tier"="gold"',
      'key:"draft_*"',
      "+key",
      "key+",
      "*key",
      "key*",
      "a,b",
      "a and b",
      "a or b",
      "not a",
      "( ... )",
    ]) {
      expect(syntax).toContain(form);
    }
    expect(help).toMatch(/Exit codes: 0 .*, 1 .*, 2 .*130 canceled/s);
  });

  it("shows examples whose selections select what they say", async () => {
    const selections = [...new Set(exampleSelections(help))];
    expect(selections.sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const selection of selections) {
      const res = await runCli(project.dir, ["list", "--select", selection, "--json"]);
      expect(res.code, `${selection}: ${res.stderr}`).toBe(0);
      const keys = (JSON.parse(res.stdout) as { key: string }[]).map((a) => a.key).sort();
      expect(keys, selection).toEqual(EXAMPLES[selection]);
    }
  });
});
