/** /api/lineage/:key: a partition key's chain through partition mappings (e.g. draft -> essay -> evaluations). */
import { partitionLineage, validatePartitionKey } from "@daydream/core";
import type { UiContext } from "../context.ts";
import type { Router } from "../http/router.ts";

export function registerLineageRoutes(router: Router, ctx: UiContext): void {
  router.get("/api/lineage/:key", ({ params }) => {
    validatePartitionKey(params.key);
    return partitionLineage(ctx.definitions, ctx.storage, params.key);
  });
}
