/**
 * One page of a partitioned asset's partitions with their status as `--missing` sees it
 * (core's AssetInspector: the store is the truth, so a deleted output is missing) and, for the
 * rows of the page, their latest record and whether they are stale. Filtering on a status or a
 * key substring walks the registered keys, holding only key sets in memory.
 */
import {
  type AssetDefinition,
  type AssetInspector,
  type AssetPartitionState,
  describeCause,
  type PartitionStatus,
  type Storage,
} from "@daydream/core";

export interface PartitionRow {
  partitionKey: string;
  status: PartitionStatus;
  runId: string | null;
  timestamp: string | null;
  durationMs: number | null;
  error: string | null;
  /** Materialized, but its code version or an input changed since. */
  stale: boolean;
  staleCauses: string[];
}

export interface PartitionsPage {
  total: number;
  offset: number;
  limit: number;
  items: PartitionRow[];
}

export interface PartitionsQuery {
  offset: number;
  limit: number;
  status?: PartitionStatus;
  /** Case-insensitive substring of the partition key. */
  q?: string;
}

export async function partitionsPage(
  storage: Storage,
  inspector: AssetInspector,
  def: AssetDefinition,
  query: PartitionsQuery,
): Promise<PartitionsPage> {
  const statuses = await inspector.statusesOf(def.key);
  const needle = query.q?.toLowerCase();
  const pageKeys: string[] = [];
  let total = 0;
  for (const key of statuses.keys) {
    if (needle !== undefined && !key.toLowerCase().includes(needle)) continue;
    if (query.status !== undefined && statuses.statusOf(key) !== query.status) continue;
    if (total >= query.offset && pageKeys.length < query.limit) pageKeys.push(key);
    total++;
  }
  const items = pageKeys.map((key) => {
    const status = statuses.statusOf(key);
    const causes = status === "materialized" ? inspector.causesOf(def.key, key) : [];
    return toRow(key, status, storage.getAssetPartitionState(def.key, key), causes.map(describeCause));
  });
  return { total, offset: query.offset, limit: query.limit, items };
}

function toRow(
  partitionKey: string,
  status: PartitionStatus,
  state: AssetPartitionState | undefined,
  staleCauses: string[],
): PartitionRow {
  return {
    partitionKey,
    status,
    runId: state?.runId ?? null,
    timestamp: state?.timestamp ?? null,
    durationMs: state?.durationMs ?? null,
    error: status === "materialized" ? null : (state?.error ?? null),
    stale: staleCauses.length > 0,
    staleCauses,
  };
}
