/** Temp copies of the generation fixture data root, and walks over the gens store they hold. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const FIXTURE_DATA = path.resolve(import.meta.dirname, "../../fixtures/generation-data");

export interface TempProject {
  /** The project directory (holds data/ and, for CLI tests, assets.yaml and .assets/). */
  dir: string;
  dataRoot: string;
  home: string;
  cleanup(): void;
}

/** A temp directory with a copy of the fixture data at `<dir>/data`. */
export function tempProject(prefix = "gen-test-"): TempProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataRoot = path.join(dir, "data");
  fs.cpSync(FIXTURE_DATA, dataRoot, { recursive: true });
  return {
    dir,
    dataRoot,
    home: path.join(dir, ".assets"),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every file under data/gens, as paths relative to data/gens (sorted). */
export function gensFiles(dataRoot: string): string[] {
  const root = path.join(dataRoot, "gens");
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((rel) => fs.statSync(path.join(root, rel)).isFile())
    .sort();
}

/** gen_ids of a stage that have parsed.txt. */
export function finishedGenIds(dataRoot: string, stage: string): string[] {
  const dir = path.join(dataRoot, "gens", stage);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((id) => fs.existsSync(path.join(dir, id, "parsed.txt")))
    .sort();
}

/** Rows of a CSV without quoted commas (the fixture's ids and names have none). */
export function readSimpleCsv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = fs.readFileSync(file, "utf8").trimEnd().split("\n");
  const columns = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""]));
  });
}

export function membershipRows(dataRoot: string): Array<Record<string, string>> {
  const cohorts = path.join(dataRoot, "cohorts");
  const ids = fs.readdirSync(cohorts).filter((d) => fs.existsSync(path.join(cohorts, d, "membership.csv")));
  if (ids.length !== 1)
    throw new Error(`expected one cohort with a membership, found ${ids.join(", ") || "none"}`);
  return readSimpleCsv(path.join(cohorts, ids[0], "membership.csv"));
}

/** Content and mtime of every file of a generation directory, to prove it was not rewritten. */
export function snapshotDir(dir: string): Map<string, { content: string; mtimeMs: number }> {
  const out = new Map<string, { content: string; mtimeMs: number }>();
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    out.set(name, { content: fs.readFileSync(file, "utf8"), mtimeMs: fs.statSync(file).mtimeMs });
  }
  return out;
}

/**
 * One active draft template and `drafts` generation models (plus one evaluator), so the fixture's
 * cohort has exactly `drafts` drafts.
 */
export function widenToDrafts(dataRoot: string, drafts: number): void {
  const raw = path.join(dataRoot, "1_raw");
  const templates = path.join(raw, "draft_templates.csv");
  fs.writeFileSync(
    templates,
    fs.readFileSync(templates, "utf8").replace(",Free-form notes,true,", ",Free-form notes,false,"),
  );
  const models = Array.from(
    { length: drafts },
    (_, i) => `gen-${i},fake/gen-${i},fake,Generator ${i},True,False,`,
  );
  fs.writeFileSync(
    path.join(raw, "llm_models.csv"),
    [
      "id,model,provider,display_name,for_generation,for_evaluation,specialization",
      ...models,
      "eval-small,fake/eval-small,fake,Evaluator,False,True,",
      "",
    ].join("\n"),
  );
}
