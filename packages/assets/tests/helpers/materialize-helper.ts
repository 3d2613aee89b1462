import path from "node:path";
import { type Instance, type Metadata, materialize, openInstance, type RunSummary } from "@daydream/core";
import definitions from "../../src/definitions.ts";
import { smallSpec, type TempDir, tempDir, writeRawTree } from "./raw-tree.ts";

export interface StepResults {
  summary: RunSummary;
  metadata: Record<string, Metadata>;
  errors: Record<string, Error>;
}

/** A temp data root (DD_DATA_ROOT points at it) with the small raw tree, and an instance beside it. */
export interface Workspace {
  tmp: TempDir;
  root: string;
  instance: Instance;
  run(selection: string, runConfig?: Record<string, Record<string, unknown>>): Promise<StepResults>;
  close(): void;
}

export function openWorkspace(prefix: string): Workspace {
  const tmp = tempDir(prefix);
  const root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
  const previous = process.env.DD_DATA_ROOT;
  process.env.DD_DATA_ROOT = root;
  const instance = openInstance(path.join(tmp.dir, "home"));
  return {
    tmp,
    root,
    instance,
    async run(selection, runConfig) {
      const metadata: Record<string, Metadata> = {};
      const errors: Record<string, Error> = {};
      const summary = await materialize(definitions, {
        selection,
        instance,
        runConfig: runConfig ? { assets: runConfig } : undefined,
        onProgress: (e) => {
          if (e.type === "step_success") metadata[e.assetKey] = e.metadata;
          if (e.type === "step_failure") errors[e.assetKey] = e.error;
        },
      });
      return { summary, metadata, errors };
    },
    close() {
      instance.close();
      if (previous === undefined) delete process.env.DD_DATA_ROOT;
      else process.env.DD_DATA_ROOT = previous;
      tmp.cleanup();
    },
  };
}
