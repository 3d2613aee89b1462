import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { validatePartitionKey } from "../definitions/partition-key.ts";
import type {
  InputContext,
  IOManager,
  OutputContext,
  StoredPartitionsContext,
} from "../definitions/types.ts";
import { AssetsError, InputLoadError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { DirectoryListings } from "./directory-listings.ts";

export interface FileIOManagerOptions {
  /** Root directory; values live at `<dir>/<assetKey>.<ext>` or `<dir>/<assetKey>/<partitionKey>.<ext>`. */
  dir: string;
}

/** How one file format turns values into text and back. */
export interface FileCodec {
  /** Manager name used in messages, e.g. "json". */
  name: string;
  ext: string;
  /** Returns the file content; throws an Error saying why the value cannot be stored. */
  encode(value: unknown): string | Promise<string>;
  decode(text: string): unknown;
}

/** Where a file IO manager keeps the value of one asset (partition). */
export function valueFilePath(
  dir: string,
  ext: string,
  assetKey: string,
  partitionKey: string | undefined,
): string {
  if (partitionKey === undefined) return path.join(dir, `${assetKey}.${ext}`);
  // The key becomes a file name: reject anything that could escape the asset's directory.
  validatePartitionKey(partitionKey);
  return path.join(dir, assetKey, `${partitionKey}.${ext}`);
}

function describeTarget(ctx: OutputContext): string {
  return ctx.partitionKey === undefined
    ? `asset "${ctx.assetKey}"`
    : `asset "${ctx.assetKey}" partition "${ctx.partitionKey}"`;
}

function materializeFirst(ctx: InputContext): string {
  const partition = ctx.partitionKey === undefined ? "" : ` --partition ${ctx.partitionKey}`;
  return `materialize ${ctx.assetKey} first (assets materialize --select ${ctx.assetKey}${partition})`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Builds an IO manager that stores each value as one file, written atomically. */
export function fileIOManager(opts: FileIOManagerOptions, codec: FileCodec): IOManager {
  if (typeof opts?.dir !== "string" || opts.dir === "") {
    throw new AssetsError("INVALID_IO_MANAGER", `${codec.name} IO manager needs a directory`, {
      hint: `call ${codec.name}IOManager({ dir: "data/out" })`,
    });
  }
  const dir = path.resolve(opts.dir);
  const listings = new DirectoryListings();
  return {
    async handleOutput(ctx: OutputContext, value: unknown): Promise<void> {
      const file = valueFilePath(dir, codec.ext, ctx.assetKey, ctx.partitionKey);
      let text: string;
      try {
        text = await codec.encode(value);
      } catch (err) {
        throw new AssetsError(
          "INVALID_OUTPUT_VALUE",
          `${describeTarget(ctx)} returned a value the ${codec.name} IO manager cannot store: ${messageOf(err)}`,
          {
            context: { asset: ctx.assetKey, partition: ctx.partitionKey, file },
            hint: `return a value the ${codec.name} format can hold, or choose another io for this asset`,
            cause: err,
            userError: false,
          },
        );
      }
      await writeFileAtomic(file, text);
    },

    /**
     * One listing of the asset's directory (a partitioned asset; listed again only once the
     * directory changed), or one check of its file.
     */
    async storedPartitions(ctx: StoredPartitionsContext): Promise<ReadonlySet<string>> {
      if (!ctx.partitioned) {
        return new Set(existsSync(valueFilePath(dir, codec.ext, ctx.assetKey, undefined)) ? [""] : []);
      }
      return listings.list(path.join(dir, ctx.assetKey), `.${codec.ext}`);
    },

    async loadInput(ctx: InputContext): Promise<unknown> {
      const file = valueFilePath(dir, codec.ext, ctx.assetKey, ctx.partitionKey);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        throw new InputLoadError(
          missing ? "VALUE_NOT_FOUND" : "VALUE_UNREADABLE",
          missing
            ? `no stored value of ${describeTarget(ctx)}: ${file} does not exist`
            : `cannot read ${file}: ${messageOf(err)}`,
          {
            context: { asset: ctx.assetKey, partition: ctx.partitionKey, file },
            hint: missing ? materializeFirst(ctx) : "check the file's permissions",
            cause: err,
          },
        );
      }
      try {
        return await codec.decode(text);
      } catch (err) {
        throw new InputLoadError("VALUE_CORRUPT", `${file} is not valid ${codec.name}: ${messageOf(err)}`, {
          context: { asset: ctx.assetKey, partition: ctx.partitionKey, file },
          hint: `fix or delete the file and materialize ${ctx.assetKey} again`,
          cause: err,
        });
      }
    },
  };
}
