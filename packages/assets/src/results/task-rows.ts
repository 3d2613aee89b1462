import fs from "node:fs";
import { displayPath } from "../config/data-root.ts";
import { taskTablePath } from "../config/paths.ts";
import { readTaskTable } from "../tasks/task-table-reader.ts";
import { taskReplicate } from "../tasks/task-tables.ts";
import { ResultsError } from "./errors.ts";
import type { EssayContext, EvaluationTask } from "./parsed-scores.ts";

const EVALUATION_REQUIRED = ["parent_gen_id", "evaluation_template", "evaluation_model"] as const;

/**
 * The current cohort's evaluations: data/2_tasks/evaluation_tasks.csv (projected from the
 * cohort's membership), in file order, each gen_id once.
 */
export function readEvaluationTasks(root: string): { file: string; tasks: EvaluationTask[] } {
  const table = readTaskTable(root, "evaluation_tasks");
  const tasks = table.rows.map((row) => {
    for (const column of EVALUATION_REQUIRED) {
      if (row[column] === "") {
        throw new ResultsError(
          "TASK_ROW_INVALID",
          `${displayPath(table.path)}: evaluation ${row.gen_id} has an empty ${column}`,
          {
            context: { asset: "parsed_scores", file: displayPath(table.path), gen_id: row.gen_id, column },
            hint: "task tables are projected from membership.csv: materialize cohort_membership and group:task_definitions again",
          },
        );
      }
    }
    return {
      gen_id: row.gen_id,
      parent_gen_id: row.parent_gen_id,
      evaluation_template: row.evaluation_template,
      evaluation_model: row.evaluation_model,
      cohort_id: row.cohort_id,
      evaluation_task_id: row.evaluation_task_id,
      parser: row.parser,
      replicate: String(taskReplicate(row)),
    };
  });
  return { file: table.path, tasks };
}

/**
 * Essay context by essay gen_id from data/2_tasks/essay_generation_tasks.csv; empty when the
 * table does not exist (the gens metadata is then the only source).
 */
export function readEssayTaskContexts(root: string): Map<string, EssayContext> {
  const contexts = new Map<string, EssayContext>();
  if (!fs.existsSync(taskTablePath(root, "essay_generation_tasks"))) return contexts;
  for (const row of readTaskTable(root, "essay_generation_tasks").rows) {
    contexts.set(row.gen_id, {
      draft_gen_id: row.parent_gen_id,
      combo_id: row.combo_id,
      draft_template: row.draft_template,
      essay_template: row.essay_template,
      generation_model: row.generation_model,
    });
  }
  return contexts;
}
