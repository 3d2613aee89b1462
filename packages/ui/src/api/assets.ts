/** /api/assets: the graph, one asset, and its partitions. */
import {
  type AssetDefinition,
  AssetInspector,
  describeCause,
  type PartitionStatus,
  summarizeStaleness,
} from "@daydream/core";
import type { UiContext } from "../context.ts";
import { badRequest, notFound } from "../errors.ts";
import { enumParam, intParam, stringParam } from "../http/query.ts";
import type { Router } from "../http/router.ts";
import { assetChecks } from "./asset-checks.ts";
import { assetHistory } from "./asset-history.ts";
import { downstreamKeys, latestState, runningAssetKeys, summarizeAsset } from "./asset-summary.ts";
import { partitionsPage } from "./partitions-page.ts";

const PARTITION_STATUSES: readonly PartitionStatus[] = ["materialized", "failed", "missing"];

/** Stale partitions the asset page lists as a sample. */
const STALE_SAMPLE = 10;

/** Answers one request with a fresh inspector; the instance reads behind it are kept between requests (`ctx.inspections`). */
async function inspecting<T>(ctx: UiContext, use: (inspector: AssetInspector) => Promise<T>): Promise<T> {
  const inspector = new AssetInspector(ctx.definitions, ctx.storage, ctx.inspections);
  try {
    return await use(inspector);
  } finally {
    await inspector.dispose();
  }
}

export function registerAssetRoutes(router: Router, ctx: UiContext): void {
  router.get("/api/assets", ({ query }) => {
    const select = stringParam(query, "select");
    const selected = select === undefined ? null : ctx.selections.resolve(select);
    const running = runningAssetKeys(ctx.storage, (s) => ctx.selections.resolveRecorded(s));
    return inspecting(ctx, async (inspector) => {
      const assets = [];
      for (const def of ctx.definitions.assets.values()) {
        assets.push(await summarizeAsset(ctx.storage, inspector, def, running.has(def.key)));
      }
      const groups = [...new Set(assets.map((a) => a.group))].sort();
      return { assets, groups, selection: select ?? null, selected };
    });
  });

  router.get("/api/assets/:key", ({ params, query }) => {
    const def = assetOr404(ctx, params.key);
    const running = runningAssetKeys(ctx.storage, (s) => ctx.selections.resolveRecorded(s));
    const historyLimit = intParam(query, "history", { default: 10, min: 0, max: 100 });
    return inspecting(ctx, async (inspector) => {
      // Staleness first: it is computed while the store listing of the statuses runs.
      const stale = summarizeStaleness(await inspector.staleOf(def.key), STALE_SAMPLE);
      return {
        asset: await summarizeAsset(ctx.storage, inspector, def, running.has(def.key)),
        downstream: downstreamKeys(ctx.definitions, def.key),
        resources: [...def.resources],
        retry: def.retry ?? null,
        latest: latestState(ctx.storage, def) ?? null,
        stale,
        history: assetHistory(ctx.storage, def.key, (s) => ctx.selections.resolveRecorded(s), historyLimit),
        checks: assetChecks(ctx.definitions, ctx.storage, def.key),
      };
    });
  });

  router.get("/api/assets/:key/partitions", ({ params, query }) => {
    const def = assetOr404(ctx, params.key);
    if (def.partitions === undefined) {
      throw badRequest(`asset "${def.key}" is not partitioned`, {
        context: { asset: def.key },
        hint: `read its latest materialization at /api/assets/${encodeURIComponent(def.key)}`,
      });
    }
    const page = {
      offset: intParam(query, "offset", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
      limit: intParam(query, "limit", { default: 50, min: 1, max: 1000 }),
      status: enumParam(query, "status", PARTITION_STATUSES),
      q: stringParam(query, "q"),
    };
    return inspecting(ctx, (inspector) => partitionsPage(ctx.storage, inspector, def, page));
  });

  router.get("/api/assets/:key/partitions/:partition", ({ params }) => {
    const def = assetOr404(ctx, params.key);
    if (def.partitions === undefined) {
      throw badRequest(`asset "${def.key}" is not partitioned`, { context: { asset: def.key } });
    }
    if (!ctx.storage.hasDynamicPartition(def.partitions.name, params.partition)) {
      throw notFound(`partition "${params.partition}" of "${def.partitions.name}"`, {
        context: { asset: def.key, partition: params.partition },
        hint: "list the registered keys at /api/assets/<key>/partitions",
      });
    }
    const state = ctx.storage.getAssetPartitionState(def.key, params.partition);
    return inspecting(ctx, async (inspector) => {
      const status = (await inspector.statusesOf(def.key)).statusOf(params.partition);
      const causes = status === "materialized" ? inspector.causesOf(def.key, params.partition) : [];
      return {
        assetKey: def.key,
        partitionKey: params.partition,
        status,
        stale: causes.length > 0,
        staleCauses: causes.map(describeCause),
        state: state ?? null,
        checks: assetChecks(ctx.definitions, ctx.storage, def.key, params.partition).results,
      };
    });
  });

  router.get("/api/partitions", () => ({ definitions: ctx.storage.listDynamicPartitionsDefinitions() }));

  router.get("/api/selection", ({ query }) => {
    const select = stringParam(query, "select");
    if (select === undefined) {
      throw badRequest("missing query parameter select", {
        hint: "pass select=<selection>, e.g. select=group:cohort",
      });
    }
    return { selection: select, keys: ctx.selections.resolve(select) };
  });
}

function assetOr404(ctx: UiContext, key: string): AssetDefinition {
  const def = ctx.definitions.assets.get(key);
  if (def === undefined) {
    throw notFound(`asset "${key}"`, {
      context: { asset: key },
      hint: "list the assets at /api/assets",
    });
  }
  return def;
}
