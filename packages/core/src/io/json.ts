import type { IOManager } from "../definitions/types.ts";
import { type FileIOManagerOptions, fileIOManager } from "./file-io-manager.ts";

/** Stores any JSON value as a pretty-printed `.json` file. */
export function jsonIOManager(opts: FileIOManagerOptions): IOManager {
  return fileIOManager(opts, {
    name: "json",
    ext: "json",
    encode(value) {
      const text = JSON.stringify(value, null, 2);
      if (text === undefined) throw new Error(`${typeof value} is not a JSON value`);
      return `${text}\n`;
    },
    decode: (text) => JSON.parse(text),
  });
}
