import fs from "node:fs";
import path from "node:path";
import { displayPath } from "../config/data-root.ts";
import { gensDir, type Stage } from "../config/paths.ts";

export type GenMetadataRead =
  | { ok: true; file: string; fields: Record<string, unknown> }
  | {
      ok: false;
      file: string;
      problem: "gens directory missing" | "metadata.json missing" | "metadata.json unreadable";
      detail: string;
    };

/** data/gens/<stage>/<gen_id>/metadata.json, or why it cannot be used. */
export function readGenMetadata(root: string, stage: Stage, genId: string): GenMetadataRead {
  const dir = gensDir(root, stage, genId);
  const file = path.join(dir, "metadata.json");
  if (!fs.existsSync(dir))
    return {
      ok: false,
      file: dir,
      problem: "gens directory missing",
      detail: `${displayPath(dir)} does not exist`,
    };
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? { ok: false, file, problem: "metadata.json missing", detail: `${displayPath(file)} does not exist` }
      : { ok: false, file, problem: "metadata.json unreadable", detail: `${displayPath(file)}: ${code}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      file,
      problem: "metadata.json unreadable",
      detail: `${displayPath(file)} is not valid JSON (${(err as Error).message})`,
    };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return {
      ok: false,
      file,
      problem: "metadata.json unreadable",
      detail: `${displayPath(file)} is not a JSON object`,
    };
  }
  return { ok: true, file, fields: parsed as Record<string, unknown> };
}

/** A metadata field as trimmed text; "" when absent, null or not text. */
export function metadataText(fields: Record<string, unknown>, key: string): string {
  const value = fields[key];
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return "";
}
