import type { IOManager } from "../definitions/types.ts";
import { type FileIOManagerOptions, fileIOManager } from "./file-io-manager.ts";

/** Stores a string as a `.txt` file, byte for byte (UTF-8). */
export function textIOManager(opts: FileIOManagerOptions): IOManager {
  return fileIOManager(opts, {
    name: "text",
    ext: "txt",
    encode(value) {
      if (typeof value !== "string")
        throw new Error(`expected a string, got ${value === null ? "null" : typeof value}`);
      return value;
    },
    decode: (text) => text,
  });
}
