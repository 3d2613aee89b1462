/**
 * One page of a partitioned asset's partitions with their latest state.
 * Without filters a page costs one paged key query plus one lookup per row, so
 * the first page is fast at any size. Filtering on "missing" or on a key
 * substring needs the registered keys' order, so it scans them in chunks
 * holding only key sets in memory (about 10 ms per 10,000 keys).
 */
import type { AssetDefinition, AssetPartitionState, PartitionStatus, Storage } from "@daydream/core";
import { failedPartitionKeys } from "../storage-queries.ts";

const SCAN_CHUNK = 10_000;

export interface PartitionRow {
  partitionKey: string;
  status: PartitionStatus;
  runId: string | null;
  timestamp: string | null;
  durationMs: number | null;
  error: string | null;
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

export function partitionsPage(
  storage: Storage,
  def: AssetDefinition,
  query: PartitionsQuery,
): PartitionsPage {
  const name = def.partitions!.name;
  const { offset, limit, status, q } = query;
  if (q === undefined && status === undefined) {
    const keys = storage.getDynamicPartitions(name, { offset, limit });
    const items = keys.map((key) => toRow(key, storage.getAssetPartitionState(def.key, key)));
    return { total: storage.countDynamicPartitions(name), offset, limit, items };
  }
  if (q === undefined && status !== "missing" && status !== undefined) {
    const states = storage.listAssetPartitionStates(def.key, { status, offset, limit });
    const total = storage.countAssetPartitionStates(def.key)[status];
    return { total, offset, limit, items: states.map((s) => toRow(s.partitionKey, s)) };
  }
  return scanPage(storage, def, query);
}

function scanPage(storage: Storage, def: AssetDefinition, query: PartitionsQuery): PartitionsPage {
  const name = def.partitions!.name;
  const materialized = storage.materializedPartitionKeys(def.key);
  const failed = failedPartitionKeys(storage, def.key);
  const needle = query.q?.toLowerCase();
  const pageKeys: string[] = [];
  let total = 0;
  for (let start = 0; ; start += SCAN_CHUNK) {
    const keys = storage.getDynamicPartitions(name, { offset: start, limit: SCAN_CHUNK });
    for (const key of keys) {
      if (needle !== undefined && !key.toLowerCase().includes(needle)) continue;
      const status: PartitionStatus = materialized.has(key)
        ? "materialized"
        : failed.has(key)
          ? "failed"
          : "missing";
      if (query.status !== undefined && status !== query.status) continue;
      if (total >= query.offset && pageKeys.length < query.limit) pageKeys.push(key);
      total++;
    }
    if (keys.length < SCAN_CHUNK) break;
  }
  const items = pageKeys.map((key) => toRow(key, storage.getAssetPartitionState(def.key, key)));
  return { total, offset: query.offset, limit: query.limit, items };
}

function toRow(partitionKey: string, state: AssetPartitionState | undefined): PartitionRow {
  return {
    partitionKey,
    status: state?.status ?? "missing",
    runId: state?.runId ?? null,
    timestamp: state?.timestamp ?? null,
    durationMs: state?.durationMs ?? null,
    error: state?.error ?? null,
  };
}
