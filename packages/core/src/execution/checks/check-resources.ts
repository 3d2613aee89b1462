import type { AssetCheckDefinition } from "../../definitions/check-types.ts";
import type { ResourceUser } from "../resources.ts";

/** A check as a resource user, keyed `asset.check` (no asset key contains a dot). */
export function checkResourceUser(check: AssetCheckDefinition): ResourceUser {
  return { key: `${check.asset}.${check.name}`, resources: check.resources };
}
