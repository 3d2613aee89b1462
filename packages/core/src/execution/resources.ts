import type {
  AssetDefinition,
  ClusterSlots,
  Definitions,
  ResourceFactory,
  ResourceRunContext,
} from "../definitions/types.ts";
import { AssetsError } from "../errors.ts";
import type { RunProgressEvent } from "./types.ts";

function isFactory(value: unknown): value is ResourceFactory {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "resource-factory" &&
    typeof (value as { create?: unknown }).create === "function"
  );
}

/** Whatever declares resources: an asset, or an asset check (keyed `asset.check`). */
export type ResourceUser = Pick<AssetDefinition<unknown>, "key" | "resources">;

export interface RunResources {
  /** The resources an asset (or check) declared, by name. */
  forAsset(asset: ResourceUser): Record<string, unknown>;
  /** Disposes what factories created, in reverse order of creation. */
  dispose(): Promise<void>;
}

interface CreatedResource {
  name: string;
  factory: ResourceFactory;
  value: unknown;
}

/** Disposes created resources in reverse order of creation (a value may still be a promise). */
async function disposeAll(created: CreatedResource[]): Promise<void> {
  for (const { name, factory, value } of created.reverse()) {
    try {
      await factory.dispose?.(await value);
    } catch (err) {
      // The outcome is already known; a failed cleanup must not replace it.
      process.emitWarning(
        `resource "${name}" failed to dispose: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

/**
 * What the factories of a run's resources are told: its concurrency, where their notices go, and
 * the run's cluster slots (bound to the run by the executor once it exists).
 */
export interface ResourceRunInfo {
  concurrency: number;
  emit(event: Extract<RunProgressEvent, { type: "notice" | "status" }>): void;
  clusterSlots?: ClusterSlots;
}

function runContext(source: string, run: ResourceRunInfo): ResourceRunContext {
  return Object.freeze({
    concurrency: run.concurrency,
    notice: (message: string) => run.emit({ type: "notice", source, message }),
    status: (text: string | undefined) => run.emit({ type: "status", source, text }),
    ...(run.clusterSlots === undefined ? {} : { clusterSlots: run.clusterSlots }),
  });
}

/**
 * Instantiates the resources the given assets need, once per run: plain values are used as
 * they are, factories are created now and disposed by `dispose()`.
 */
export async function openResources(
  defs: Definitions,
  assets: readonly ResourceUser[],
  run?: ResourceRunInfo,
): Promise<RunResources> {
  const values = new Map<string, unknown>();
  const created: CreatedResource[] = [];
  const dispose = (): Promise<void> => disposeAll(created);
  const needed = [...new Set(assets.flatMap((a) => a.resources))];
  for (const name of needed) {
    const resource = defs.resources[name];
    if (!isFactory(resource)) {
      values.set(name, resource);
      continue;
    }
    try {
      const value = await resource.create(run && runContext(name, run));
      created.push({ name, factory: resource, value });
      values.set(name, value);
    } catch (err) {
      await dispose();
      const users = assets.filter((a) => a.resources.includes(name)).map((a) => a.key);
      throw new AssetsError(
        "RESOURCE_FAILED",
        `resource "${name}" could not be created: ${err instanceof Error ? err.message : String(err)}`,
        {
          context: { resource: name, assets: users.join(", ") },
          hint:
            err instanceof AssetsError && err.hint
              ? err.hint
              : `check the configuration of resource "${name}"`,
          cause: err,
        },
      );
    }
  }
  const perAsset = new Map<string, Record<string, unknown>>();
  return {
    forAsset(asset) {
      let resources = perAsset.get(asset.key);
      if (!resources) {
        resources = Object.freeze(
          Object.fromEntries(asset.resources.map((name) => [name, values.get(name)])),
        );
        perAsset.set(asset.key, resources);
      }
      return resources;
    },
    dispose,
  };
}

/**
 * The asset's resources for an `isMaterialized` hook outside a run (inspecting what is
 * missing): each is created when the hook first reads it, so that an inspection never
 * builds a resource the hook does not use (an LLM client that needs an API key, say).
 */
export function lazyResources(defs: Definitions, asset: AssetDefinition<unknown>): RunResources {
  const created: CreatedResource[] = [];
  const resources: Record<string, unknown> = {};
  for (const name of asset.resources) {
    const resource = defs.resources[name];
    let value: unknown;
    let ready = false;
    Object.defineProperty(resources, name, {
      enumerable: true,
      get() {
        if (!ready) {
          value = isFactory(resource) ? resource.create() : resource;
          ready = true;
          if (isFactory(resource)) created.push({ name, factory: resource, value });
        }
        if (isFactory(resource) && typeof (value as PromiseLike<unknown> | undefined)?.then === "function") {
          throw new AssetsError(
            "RESOURCE_ASYNC",
            `resource "${name}" is created asynchronously; the isMaterialized hook of asset ${asset.key} cannot read it outside a run`,
            {
              context: { resource: name, asset: asset.key },
              hint: "give the resource a synchronous create(), or let isMaterialized do without it",
              userError: false,
            },
          );
        }
        return value;
      },
    });
  }
  const perAsset = Object.freeze(resources);
  return {
    forAsset: () => perAsset,
    dispose: () => disposeAll(created),
  };
}
