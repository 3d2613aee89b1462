import { type Dirent, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { GEN_FILES, type GenFileKind, type GenStage } from "./layout.ts";
import type { GensStore } from "./store.ts";

function hasFile(dir: string, file: GenFileKind): boolean {
  return statSync(path.join(dir, GEN_FILES[file]), { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The gen_ids of a stage whose directory holds at least one of `files` (in the order given):
 * one listing of `gens/<stage>/`, then a stat per generation directory present (a second only
 * when the first file is absent). Registered gen_ids never generated cost nothing.
 */
export function genIdsWith(store: GensStore, stage: GenStage, files: readonly GenFileKind[]): Set<string> {
  const stageDir = path.join(store.root, stage);
  const found = new Set<string>();
  let entries: Dirent[];
  try {
    entries = readdirSync(stageDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return found;
    throw err;
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(stageDir, entry.name);
    if (files.some((file) => hasFile(dir, file))) found.add(entry.name);
  }
  return found;
}
