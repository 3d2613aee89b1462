/** `assets cost [--cohort ID] [--json]`: LLM usage per cohort from the gens store. */
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import { paintOut } from "../output/colors.ts";
import { plural } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { renderUsage } from "../output/usage.ts";
import { projectFor } from "../session.ts";

export async function runCost(opts: { cohort?: string; json?: boolean }, cmd: Command): Promise<number> {
  // Applies assets.yaml's env defaults, DD_DATA_ROOT among them.
  projectFor(globalsOf(cmd));
  const { cohortUsage, dataRoot, listCohortIds } = await import("@daydream/assets/usage");
  const root = dataRoot();
  const ids = opts.cohort === undefined ? listCohortIds(root) : [opts.cohort];
  const cohorts = ids.map((id) => cohortUsage(root, id));
  if (opts.json) {
    printJson({ cohorts });
    return EXIT_OK;
  }
  if (cohorts.length === 0) {
    process.stdout.write("No cohorts yet: materialize cohort_membership first.\n");
    return EXIT_OK;
  }
  const p = paintOut;
  for (const c of cohorts) {
    const reused = c.reused > 0 ? `, ${c.reused} reused from other cohorts` : "";
    process.stdout.write(
      `Cohort ${p.bold(c.cohortId)}: ${plural(c.responses, "response")}${reused}, ${c.pending} without a response yet\n`,
    );
    process.stdout.write(renderUsage(c, p) || "  no LLM responses yet\n");
  }
  return EXIT_OK;
}
