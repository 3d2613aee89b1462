import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { CheckSeverity } from "../definitions/check-types.ts";
import type { Definitions, DynamicPartitionsDefinition, Metadata } from "../definitions/types.ts";
import { PartitionError } from "../errors.ts";
import { AssetGraph } from "../graph/asset-graph.ts";
import type { PartitionStatus, Storage } from "../instance/types.ts";
import { AssetInspector } from "./asset-inspector.ts";
import { PartitionLookups } from "./partition-lookups.ts";

export interface LineageAsset {
  assetKey: string;
  /** As `--missing` sees it (the store is the truth when the IO manager lists outputs). */
  status: PartitionStatus;
  /** The latest recorded attempt, if any. */
  timestamp: string | null;
  /** Metadata of the latest successful materialization. */
  metadata: Metadata | null;
  error: string | null;
  checks: { checkName: string; passed: boolean; severity: CheckSeverity; description: string | null }[];
}

export interface LineageNode {
  partitions: string;
  partitionKey: string;
  /** Where the node sits relative to the key asked about. */
  role: "ancestor" | "self" | "descendant";
  /** The nodes this one depends on, by partition mappings. */
  parents: { partitions: string; partitionKey: string }[];
  /** What the partitions definition's `describe` knows of the key; null without one. */
  description: Metadata | null;
  /** The assets partitioned by this definition, in dependency order. */
  assets: LineageAsset[];
}

export interface PartitionLineage {
  partitionKey: string;
  /** Ancestors (the farthest first), the key itself, then descendants breadth first. */
  nodes: LineageNode[];
}

/** A dependency between two partitions definitions, declared by a mapping of `asset` to `upstream`. */
interface Link {
  from: string;
  to: string;
  asset: AnyAssetDefinition;
  upstream: AnyAssetDefinition;
}

function linksOf(graph: AssetGraph): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const key of graph.topologicalOrder()) {
    const asset = graph.get(key);
    for (const upstreamKey of Object.keys(asset.partitionMappings ?? {})) {
      const upstream = graph.get(upstreamKey);
      const from = upstream.partitions?.name;
      const to = asset.partitions?.name;
      if (from === undefined || to === undefined || seen.has(`${from}\0${to}`)) continue;
      seen.add(`${from}\0${to}`);
      links.push({ from, to, asset, upstream });
    }
  }
  return links;
}

/**
 * The partitions a partition key descends from and those descending from it, through the
 * partition mappings of the definitions (e.g. draft -> essay -> evaluations), with each
 * node's assets: status, latest metadata and check results.
 */
export async function partitionLineage(
  defs: Definitions,
  storage: Storage,
  partitionKey: string,
): Promise<PartitionLineage> {
  const graph = AssetGraph.of(defs);
  const byPartitions = new Map<string, { def: DynamicPartitionsDefinition; assets: AnyAssetDefinition[] }>();
  for (const key of graph.topologicalOrder()) {
    const asset = graph.get(key);
    if (asset.partitions === undefined) continue;
    const entry = byPartitions.get(asset.partitions.name) ?? { def: asset.partitions, assets: [] };
    entry.assets.push(asset);
    byPartitions.set(asset.partitions.name, entry);
  }
  const home = [...byPartitions.keys()].find((name) => storage.hasDynamicPartition(name, partitionKey));
  if (home === undefined) {
    throw new PartitionError("UNKNOWN_PARTITION", `no partitions definition has the key "${partitionKey}"`, {
      context: { partition: partitionKey },
      hint: "`assets partitions list NAME` shows the registered keys",
    });
  }
  const links = linksOf(graph);
  const lookups = new PartitionLookups();
  const inverses = new Map<Link, Map<string, string[]>>();
  const childrenOf = (link: Link, key: string): string[] => {
    let inverse = inverses.get(link);
    if (inverse === undefined) {
      inverse = new Map();
      for (const child of storage.getDynamicPartitions(link.to)) {
        const parents = lookups.upstreamPartitions(link.asset, link.upstream, child);
        if (parents === "all") continue;
        for (const parent of parents) inverse.set(parent, [...(inverse.get(parent) ?? []), child]);
      }
      inverses.set(link, inverse);
    }
    return inverse.get(key) ?? [];
  };
  const parentsOf = (name: string, key: string): { partitions: string; partitionKey: string }[] =>
    links
      .filter((l) => l.to === name)
      .flatMap((l) => {
        const keys = lookups.upstreamPartitions(l.asset, l.upstream, key);
        return keys === "all" ? [] : keys.map((k) => ({ partitions: l.from, partitionKey: k }));
      });

  const found: Array<{ partitions: string; partitionKey: string; role: LineageNode["role"] }> = [];
  const seen = new Set<string>();
  const visit = (partitions: string, key: string, role: LineageNode["role"]): boolean => {
    const id = `${partitions}\0${key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    found.push({ partitions, partitionKey: key, role });
    return true;
  };
  // Ancestors: walk up, then list them farthest first.
  const ancestors: Array<{ partitions: string; partitionKey: string }> = [];
  const up = [{ partitions: home, partitionKey }];
  seen.add(`${home}\0${partitionKey}`);
  while (up.length > 0) {
    const node = up.shift()!;
    for (const parent of parentsOf(node.partitions, node.partitionKey)) {
      if (seen.has(`${parent.partitions}\0${parent.partitionKey}`)) continue;
      seen.add(`${parent.partitions}\0${parent.partitionKey}`);
      ancestors.unshift(parent);
      up.push(parent);
    }
  }
  for (const a of ancestors) found.push({ ...a, role: "ancestor" });
  found.push({ partitions: home, partitionKey, role: "self" });
  const down = [{ partitions: home, partitionKey }];
  while (down.length > 0) {
    const node = down.shift()!;
    for (const link of links.filter((l) => l.from === node.partitions)) {
      for (const child of childrenOf(link, node.partitionKey)) {
        if (visit(link.to, child, "descendant")) down.push({ partitions: link.to, partitionKey: child });
      }
    }
  }

  const inspector = new AssetInspector(defs, storage);
  try {
    const describers = new Map<string, ((key: string) => Metadata | undefined) | undefined>();
    const nodes: LineageNode[] = [];
    for (const node of found) {
      const { def, assets } = byPartitions.get(node.partitions)!;
      if (!describers.has(node.partitions)) describers.set(node.partitions, def.describe?.());
      nodes.push({
        ...node,
        parents: parentsOf(node.partitions, node.partitionKey),
        description: describers.get(node.partitions)?.(node.partitionKey) ?? null,
        assets: await Promise.all(assets.map((a) => lineageAsset(storage, inspector, a, node.partitionKey))),
      });
    }
    return { partitionKey, nodes };
  } finally {
    await inspector.dispose();
  }
}

async function lineageAsset(
  storage: Storage,
  inspector: AssetInspector,
  asset: AnyAssetDefinition,
  partitionKey: string,
): Promise<LineageAsset> {
  const state = storage.getAssetPartitionState(asset.key, partitionKey);
  const statuses = await inspector.statusesOf(asset.key);
  return {
    assetKey: asset.key,
    status: statuses.statusOf(partitionKey),
    timestamp: state?.timestamp ?? null,
    metadata: state?.metadata ?? null,
    error: state?.error ?? null,
    checks: storage.listCheckResults(asset.key, { partitionKey }).map((r) => ({
      checkName: r.checkName,
      passed: r.passed,
      severity: r.severity,
      description: r.description,
    })),
  };
}
