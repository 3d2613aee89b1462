import path from "node:path";
import { AssetsError, type InputContext, type IOManager, type OutputContext } from "@daydream/core";
import { dataRoot } from "./data-root.ts";

/**
 * An IO manager rooted under the data root as it is when the value is stored or
 * loaded (not when definitions are built), so DD_DATA_ROOT set by the CLI's project
 * config or by a test applies. `make` is one of core's file IO managers.
 */
export function dataRootIOManager(subdir: string, make: (opts: { dir: string }) => IOManager): IOManager {
  const byDir = new Map<string, IOManager>();
  const current = (): IOManager => {
    const dir = path.join(dataRoot(), subdir);
    let manager = byDir.get(dir);
    if (!manager) {
      manager = make({ dir });
      byDir.set(dir, manager);
    }
    return manager;
  };
  return {
    handleOutput: (ctx: OutputContext, value: unknown) => current().handleOutput(ctx, value),
    loadInput: (ctx: InputContext) => current().loadInput(ctx),
  };
}

/**
 * For assets whose value is a cheap function of files under the data root (raw inputs,
 * or a reference to a file the asset itself wrote): nothing extra is stored; a later
 * run loads the value by deriving it again from the files.
 */
export function derivedIOManager(derive: Record<string, (root: string) => unknown>): IOManager {
  return {
    handleOutput: () => {},
    loadInput: (ctx: InputContext) => {
      const fn = derive[ctx.assetKey];
      if (!fn) {
        throw new AssetsError(
          "UNKNOWN_DERIVED_VALUE",
          `no way to derive the value of asset ${ctx.assetKey}`,
          {
            context: { asset: ctx.assetKey },
            hint: "give this asset an IO manager that stores its value",
            userError: false,
          },
        );
      }
      return fn(dataRoot());
    },
  };
}
