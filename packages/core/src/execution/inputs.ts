import { inputAssetKeys } from "../definitions/asset.ts";
import type { AssetDefinition, Definitions, IOManager } from "../definitions/types.ts";
import { AssetsError, InputLoadError } from "../errors.ts";

/** The IO manager an asset's values are stored with. */
export function ioManagerOf(defs: Definitions, asset: AssetDefinition<unknown>): IOManager {
  const io = defs.ioManagers[asset.io];
  if (!io) {
    // defineDefinitions rejects this; reaching it means the Definitions object was built by hand.
    throw new AssetsError(
      "UNKNOWN_IO_MANAGER",
      `IO manager "${asset.io}" of asset "${asset.key}" is not defined`,
      {
        context: { asset: asset.key },
        hint: "build definitions with defineDefinitions(), which checks IO managers",
      },
    );
  }
  return io;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Loads the value inputs of steps through each producer's IO manager. An unpartitioned
 * upstream value is loaded once per run and shared by every step that reads it (a failed
 * load is shared too, rather than retried by each of thousands of partitions).
 */
export class InputLoader {
  private readonly wholeValues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly defs: Definitions,
    private readonly runId: string,
  ) {}

  async load(
    asset: AssetDefinition<unknown>,
    partitionKey: string | undefined,
  ): Promise<Record<string, unknown>> {
    const inputs: Record<string, unknown> = {};
    for (const { input, asset: upstreamKey } of inputAssetKeys(asset)) {
      const upstream = this.defs.assets.get(upstreamKey)!;
      // Partitioned inputs always share the downstream's partitions definition (checked by defineDefinitions).
      const upstreamPartition = upstream.partitions === undefined ? undefined : partitionKey;
      try {
        inputs[input] =
          upstreamPartition === undefined
            ? await this.wholeValue(upstream)
            : await ioManagerOf(this.defs, upstream).loadInput(this.ctx(upstreamKey, upstreamPartition));
      } catch (err) {
        throw inputLoadError(asset.key, partitionKey, input, upstreamKey, upstreamPartition, err);
      }
    }
    return inputs;
  }

  private wholeValue(upstream: AssetDefinition<unknown>): Promise<unknown> {
    let value = this.wholeValues.get(upstream.key);
    if (!value) {
      value = (async () => ioManagerOf(this.defs, upstream).loadInput(this.ctx(upstream.key, undefined)))();
      this.wholeValues.set(upstream.key, value);
    }
    return value;
  }

  private ctx(assetKey: string, partitionKey: string | undefined) {
    return { assetKey, partitionKey, runId: this.runId };
  }
}

function inputLoadError(
  assetKey: string,
  partitionKey: string | undefined,
  input: string,
  upstreamKey: string,
  upstreamPartition: string | undefined,
  cause: unknown,
): InputLoadError {
  const what = input === upstreamKey ? `input ${input}` : `input ${input} (asset ${upstreamKey})`;
  const of =
    partitionKey === undefined ? `asset ${assetKey}` : `asset ${assetKey} partition "${partitionKey}"`;
  const select = upstreamPartition === undefined ? "" : ` --partition ${upstreamPartition}`;
  const causeContext = cause instanceof AssetsError ? cause.context : {};
  // An IO manager that says how to fix its failure knows better than the generic advice.
  // Read as a property, not via instanceof: definitions loaded with -f may bring their own copy of core.
  const causeHint = (cause as { hint?: unknown } | null | undefined)?.hint;
  const hint =
    typeof causeHint === "string" && causeHint !== ""
      ? causeHint
      : `materialize ${upstreamKey} first (assets materialize --select ${upstreamKey}${select})`;
  return new InputLoadError(
    "INPUT_LOAD_FAILED",
    `${what} of ${of} could not be loaded: ${messageOf(cause)}`,
    {
      context: {
        file: causeContext.file,
        asset: assetKey,
        partition: partitionKey,
        input,
        upstream: upstreamKey,
      },
      hint,
      cause,
      userError: false,
    },
  );
}
