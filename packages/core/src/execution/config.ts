import type { AssetDefinition, Definitions } from "../definitions/types.ts";
import { AssetsError } from "../errors.ts";
import { closestNames, didYouMean } from "../graph/selection/suggest.ts";

/** Run config: `{ assets: { <assetKey>: { ...config } } }` (the CLI reads it from a YAML file). */
export interface RunConfig {
  assets?: Record<string, Record<string, unknown>>;
}

/** A run config that does not fit the definitions or an asset's config schema. */
export class RunConfigError extends AssetsError {}

const SHAPE_HINT = "write the run config as { assets: { <asset_key>: { <option>: value } } }";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** zod-style issues read better as `path: message` lines than as the error's JSON message. */
function describeSchemaError(err: unknown): string {
  const issues = (err as { issues?: unknown }).issues;
  if (Array.isArray(issues) && issues.length > 0) {
    return issues
      .map((issue: { path?: unknown[]; message?: string }) => {
        const at = Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
        return `${at}${issue.message ?? "invalid"}`;
      })
      .join("; ");
  }
  return err instanceof Error ? err.message : String(err);
}

function checkShape(defs: Definitions, runConfig: unknown): Record<string, unknown> {
  if (runConfig === undefined) return {};
  if (!isRecord(runConfig))
    throw new RunConfigError("INVALID_RUN_CONFIG", "the run config must be an object", { hint: SHAPE_HINT });
  const extra = Object.keys(runConfig).filter((k) => k !== "assets");
  if (extra.length > 0) {
    throw new RunConfigError(
      "INVALID_RUN_CONFIG",
      `the run config has unknown top-level keys: ${extra.join(", ")}`,
      {
        context: { key: extra[0] },
        hint: SHAPE_HINT,
      },
    );
  }
  const assets = runConfig.assets ?? {};
  if (!isRecord(assets))
    throw new RunConfigError("INVALID_RUN_CONFIG", "run config `assets` must be an object", {
      hint: SHAPE_HINT,
    });
  for (const [key, value] of Object.entries(assets)) {
    if (!defs.assets.has(key)) {
      const suggestion = didYouMean(closestNames(key, defs.assets.keys()));
      throw new RunConfigError("UNKNOWN_CONFIG_ASSET", `the run config names an unknown asset "${key}"`, {
        context: { asset: key },
        hint: suggestion || "use asset keys from the definitions (`assets list`)",
      });
    }
    if (!isRecord(value)) {
      throw new RunConfigError("INVALID_RUN_CONFIG", `run config of asset ${key} must be an object`, {
        context: { asset: key },
        hint: SHAPE_HINT,
      });
    }
  }
  return assets;
}

/**
 * Validates the run config and parses each selected asset's part with its `configSchema`.
 * Assets without a schema get their part as is (or `{}`).
 */
export function parseRunConfig(
  defs: Definitions,
  assets: readonly AssetDefinition<unknown>[],
  runConfig: RunConfig | undefined,
): Map<string, Record<string, unknown>> {
  const raw = checkShape(defs, runConfig);
  const parsed = new Map<string, Record<string, unknown>>();
  for (const asset of assets) {
    const input = raw[asset.key] ?? {};
    if (!asset.configSchema) {
      parsed.set(asset.key, input as Record<string, unknown>);
      continue;
    }
    try {
      parsed.set(asset.key, asset.configSchema.parse(input) as Record<string, unknown>);
    } catch (err) {
      throw new RunConfigError(
        "INVALID_ASSET_CONFIG",
        `config of asset ${asset.key} is invalid: ${describeSchemaError(err)}`,
        {
          context: { asset: asset.key },
          hint: `fix assets.${asset.key} in the run config (--config FILE)`,
          cause: err,
        },
      );
    }
  }
  return parsed;
}
