import { asset, withMetadata } from "@daydream/core";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { writeParsedScores } from "./write-parsed-scores.ts";

/**
 * parsed_scores: one row per evaluation of the current cohort with its score (or the reason it
 * has none), written to data/cohorts/<id>/parsed_scores.csv and refreshed in
 * data/7_cross_experiment/parsed_scores.csv, which keeps every cohort's rows (the input of
 * select-top). Ordering deps only: it reads the task table and the gens store from disk, so it
 * also works after evaluations were materialized in other runs.
 */
export const parsedScoresAsset = asset({
  key: "parsed_scores",
  group: "results",
  description:
    "Scores of the cohort's evaluations -> data/cohorts/<id>/parsed_scores.csv, merged into data/7_cross_experiment/parsed_scores.csv (every cohort's)",
  deps: ["evaluation_response", "evaluation_tasks"],
  kinds: ["csv"],
  compute: async (ctx) => {
    const summary = await writeParsedScores(dataRoot(), { signal: ctx.signal });
    const path = displayPath(summary.file);
    if (summary.errors > 0) {
      ctx.log.warn(
        { errors: summary.errors, missing: summary.missing, path },
        "some evaluations have no score; see the error column",
      );
    }
    if (summary.contextWarningCount > 0) {
      ctx.log.warn(
        { count: summary.contextWarningCount, first: summary.contextWarnings },
        "essay context left empty for some rows (no essay task row and unreadable gens metadata)",
      );
    }
    return withMetadata(
      { path: summary.file, rows: summary.rows, scored: summary.scored, errors: summary.errors },
      {
        rows: summary.rows,
        scored: summary.scored,
        errors: summary.errors,
        missing: summary.missing,
        path,
        cohort_paths: summary.cohortFiles.map((f) => displayPath(f)).join(", "),
        cross_experiment_rows: summary.crossRows,
        cohort_id: summary.cohortIds.join(","),
        essay_context_warnings: summary.contextWarningCount,
      },
    );
  },
});
