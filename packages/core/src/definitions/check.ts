import { DefinitionError } from "../errors.ts";
import { isIdentifier } from "./asset.ts";
import type { AssetCheckDefinition, AssetCheckSpec } from "./check-types.ts";

const SEVERITIES = new Set(["warn", "error"]);

function fail(spec: Partial<AssetCheckSpec> | undefined, message: string, hint: string): never {
  throw new DefinitionError("INVALID_CHECK", message, {
    context: { asset: spec?.asset, check: spec?.name },
    hint,
  });
}

/**
 * Declares a check of an asset (Dagster's `@asset_check`): it runs after each materialization
 * of the asset, partition by partition, and on demand with `assets check`.
 */
export function assetCheck(spec: AssetCheckSpec): AssetCheckDefinition {
  if (typeof spec !== "object" || spec === null) {
    fail(undefined, "assetCheck() expects a spec object", 'call assetCheck({ name, asset: "key", check })');
  }
  const label = `check "${String(spec.name)}" of asset "${String(spec.asset)}"`;
  if (!isIdentifier(spec.name)) {
    fail(
      spec,
      `${label}: invalid check name`,
      "check names use letters, digits and _ (e.g. parsed_not_empty)",
    );
  }
  if (!isIdentifier(spec.asset))
    fail(spec, `${label}: asset must be an asset key`, 'e.g. asset: "draft_response"');
  if (typeof spec.check !== "function")
    fail(spec, `${label} has no check function`, "add check: (ctx) => ({ passed })");
  const severity = spec.severity ?? "error";
  if (!SEVERITIES.has(severity))
    fail(spec, `${label}: severity must be "warn" or "error"`, 'e.g. severity: "warn"');
  const resources = spec.resources ?? [];
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== "string" || r === "")) {
    fail(spec, `${label}: resources must be an array of resource keys`, 'e.g. resources: ["llm"]');
  }
  return Object.freeze({
    ...spec,
    kind: "asset-check",
    severity,
    blocking: spec.blocking === true,
    resources: Object.freeze([...new Set(resources)]) as string[],
  });
}

export function isAssetCheckDefinition(value: unknown): value is AssetCheckDefinition {
  const v = value as Partial<AssetCheckDefinition> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    v.kind === "asset-check" &&
    typeof v.name === "string" &&
    typeof v.asset === "string" &&
    typeof v.check === "function"
  );
}
