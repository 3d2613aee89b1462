import { statSync, unlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic, writeFilesAtomic } from "./atomic-write.ts";
import { GensStoreError } from "./errors.ts";
import {
  GEN_FILES,
  type GenFileKind,
  type GenStage,
  producerAsset,
  validateGenId,
  validateStage,
} from "./layout.ts";
import { buildMetadata, type GenMetadata, type GenMetadataFields, readMetadataObject } from "./metadata.ts";

function metadataText(metadata: GenMetadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

/**
 * The generations store: `<dataRoot>/gens/<stage>/<gen_id>/{prompt.txt, raw.txt, parsed.txt,
 * metadata.json}`, the layout the Python pipeline wrote. Stage and gen_id are validated before
 * they become a path; every write is atomic; text is read with universal newlines.
 */
export class GensStore {
  readonly dataRoot: string;
  readonly root: string;

  constructor(dataRoot: string) {
    this.dataRoot = path.resolve(dataRoot);
    this.root = path.join(this.dataRoot, "gens");
  }

  dir(stage: GenStage | string, genId: string): string {
    const s = validateStage(stage);
    return path.join(this.root, s, validateGenId(genId, s));
  }

  path(stage: GenStage | string, genId: string, file: GenFileKind): string {
    return path.join(this.dir(stage, genId), GEN_FILES[file]);
  }

  writePrompt(stage: GenStage | string, genId: string, text: string): Promise<string> {
    return this.#writeText(stage, genId, "prompt", text);
  }

  writeRaw(stage: GenStage | string, genId: string, text: string): Promise<string> {
    return this.#writeText(stage, genId, "raw", text);
  }

  writeParsed(stage: GenStage | string, genId: string, text: string): Promise<string> {
    return this.#writeText(stage, genId, "parsed", text);
  }

  /** Writes pretty-printed metadata.json with the existing keys ("" when absent); returns what was written. */
  async writeMetadata(
    stage: GenStage | string,
    genId: string,
    fields: GenMetadataFields,
  ): Promise<GenMetadata> {
    const file = this.path(stage, genId, "metadata");
    const metadata = buildMetadata(validateStage(stage), genId, fields);
    await writeFileAtomic(file, metadataText(metadata));
    return metadata;
  }

  /**
   * A response's files in one batch, in the order that keeps parsed.txt meaning "finished":
   * raw.txt, metadata.json, then parsed.txt, each written only once the one before is in place.
   * Without `parsed` (a response that failed its checks) only raw.txt and metadata.json are
   * written. Returns the metadata written.
   */
  async writeResponse(
    stage: GenStage | string,
    genId: string,
    files: { raw: string; metadata: GenMetadataFields; parsed?: string },
  ): Promise<GenMetadata> {
    const s = validateStage(stage);
    const metadata = buildMetadata(s, genId, files.metadata);
    const batch = [
      { file: this.path(s, genId, "raw"), content: files.raw },
      { file: this.path(s, genId, "metadata"), content: metadataText(metadata) },
    ];
    if (files.parsed !== undefined)
      batch.push({ file: this.path(s, genId, "parsed"), content: files.parsed });
    await writeFilesAtomic(batch);
    return metadata;
  }

  readPrompt(stage: GenStage | string, genId: string): Promise<string> {
    return this.#readText(stage, genId, "prompt");
  }

  readRaw(stage: GenStage | string, genId: string): Promise<string> {
    return this.#readText(stage, genId, "raw");
  }

  readParsed(stage: GenStage | string, genId: string): Promise<string> {
    return this.#readText(stage, genId, "parsed");
  }

  async readMetadata(stage: GenStage | string, genId: string): Promise<GenMetadata> {
    const text = await this.#readText(stage, genId, "metadata");
    const where = { stage, gen_id: genId, file: this.path(stage, genId, "metadata") };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new GensStoreError(
        "GEN_METADATA_INVALID",
        `metadata.json is not valid JSON: ${(err as Error).message}`,
        {
          context: where,
          hint: "fix or delete the file and re-materialize the generation",
          cause: err,
        },
      );
    }
    return readMetadataObject(parsed, where);
  }

  /** Whether parsed.txt exists: the store's notion of "this generation is done", whoever wrote it. */
  hasParsed(stage: GenStage | string, genId: string): boolean {
    return this.has(stage, genId, "parsed");
  }

  /** Delete one file of a generation if it exists (e.g. a parsed.txt made stale by a new response). */
  remove(stage: GenStage | string, genId: string, file: GenFileKind): void {
    const target = this.path(stage, genId, file);
    // Checked first: the usual case is "no such file", and a failed unlink's exception costs
    // more than a stat.
    if (!statSync(target, { throwIfNoEntry: false })) return;
    try {
      unlinkSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  has(stage: GenStage | string, genId: string, file: GenFileKind): boolean {
    return statSync(this.path(stage, genId, file), { throwIfNoEntry: false })?.isFile() ?? false;
  }

  async #writeText(
    stage: GenStage | string,
    genId: string,
    file: GenFileKind,
    text: string,
  ): Promise<string> {
    const target = this.path(stage, genId, file);
    await writeFileAtomic(target, text);
    return target;
  }

  async #readText(stage: GenStage | string, genId: string, file: GenFileKind): Promise<string> {
    const target = this.path(stage, genId, file);
    let text: string;
    try {
      text = await readFile(target, "utf8");
    } catch (err) {
      throw this.#readError(stage as GenStage, genId, file, target, err);
    }
    return text.replace(/\r\n?/g, "\n");
  }

  #readError(
    stage: GenStage,
    genId: string,
    file: GenFileKind,
    target: string,
    err: unknown,
  ): GensStoreError {
    const code = (err as NodeJS.ErrnoException).code;
    const context = { stage, gen_id: genId, file: target };
    if (code === "ENOENT") {
      const asset = producerAsset(stage, file);
      return new GensStoreError(
        "GEN_FILE_MISSING",
        `${GEN_FILES[file]} of ${stage} ${genId} does not exist`,
        {
          context,
          hint: `materialize ${asset} for partition ${genId} first (npx assets materialize --select ${asset} --partition ${genId})`,
        },
      );
    }
    return new GensStoreError(
      "GEN_FILE_UNREADABLE",
      `cannot read ${GEN_FILES[file]} of ${stage} ${genId} (${code ?? String(err)})`,
      {
        context,
        hint: "check the file's permissions and that it is a regular file",
        cause: err,
      },
    );
  }
}
