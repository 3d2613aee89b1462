import { dataRoot } from "../config/data-root.ts";
import { selectedEssaysPath } from "../config/paths.ts";
import { writeFileAtomicSync } from "../raw/atomic-file.ts";
import { parsedScoresPath } from "./cross-experiment.ts";

/** select-top's default input and output under the data root (DD_DATA_ROOT, else ./data). */
export function selectTopPaths(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): { parsedScores: string; output: string } {
  const root = dataRoot(env, cwd);
  return { parsedScores: parsedScoresPath(root), output: selectedEssaysPath(root) };
}

/**
 * selected_essays.txt: one `#` comment line saying how the list was made (cohort_membership
 * skips it), then one essay gen_id per line.
 */
export function selectedEssaysText(genIds: readonly string[], comment: string): string {
  const oneLine = comment.replace(/[\r\n]+/g, " ");
  return `# ${oneLine}\n${genIds.map((id) => `${id}\n`).join("")}`;
}

/** Writes the list atomically, so cohort_membership never reads half of it. */
export function writeSelectedEssays(file: string, genIds: readonly string[], comment: string): void {
  writeFileAtomicSync(file, selectedEssaysText(genIds, comment));
}
