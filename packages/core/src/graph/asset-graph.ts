import { type AnyAssetDefinition, inputAssetKeys } from "../definitions/asset.ts";
import type { Definitions } from "../definitions/types.ts";
import { DefinitionError } from "../errors.ts";

/** Printable form of a cycle: `a -> b -> c -> a` (arrows point from upstream to downstream). */
export function formatCycle(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(" -> ");
}

/**
 * The dependency graph of a set of assets. Edges come from value inputs and ordering-only
 * deps alike; references to unknown keys are ignored here (definition validation reports them).
 * Wherever order matters, ties are broken by definition order so output is stable.
 */
export class AssetGraph {
  readonly keys: readonly string[];
  private readonly defs = new Map<string, AnyAssetDefinition>();
  private readonly index = new Map<string, number>();
  private readonly parents = new Map<string, string[]>();
  private readonly children = new Map<string, string[]>();
  private readonly groupMembers = new Map<string, string[]>();
  private topo?: readonly string[];

  constructor(assets: Iterable<AnyAssetDefinition>) {
    for (const def of assets) {
      if (this.defs.has(def.key)) continue;
      this.index.set(def.key, this.defs.size);
      this.defs.set(def.key, def);
      const members = this.groupMembers.get(def.group) ?? [];
      members.push(def.key);
      this.groupMembers.set(def.group, members);
    }
    this.keys = Object.freeze([...this.defs.keys()]);
    for (const key of this.keys) this.children.set(key, []);
    for (const [key, def] of this.defs) {
      const upstream = new Set([...inputAssetKeys(def).map((i) => i.asset), ...def.deps]);
      const known = [...upstream].filter((u) => this.defs.has(u));
      this.parents.set(key, this.byDefinitionOrder(known));
      for (const parent of known) this.children.get(parent)!.push(key);
    }
  }

  /** The graph of a Definitions object, built once and cached. */
  static of(defs: Definitions): AssetGraph {
    let graph = cache.get(defs);
    if (!graph) {
      graph = new AssetGraph(defs.assets.values());
      cache.set(defs, graph);
    }
    return graph;
  }

  has(key: string): boolean {
    return this.defs.has(key);
  }

  get(key: string): AnyAssetDefinition {
    const def = this.defs.get(key);
    if (!def) {
      throw new DefinitionError("UNKNOWN_ASSET", `unknown asset "${key}"`, {
        context: { asset: key },
        hint: "use a key from the definitions (`assets list` shows them)",
      });
    }
    return def;
  }

  /** Direct upstream assets (value inputs and deps), in definition order. */
  upstream(key: string): readonly string[] {
    return this.parents.get(key) ?? [];
  }

  /** Direct downstream assets, in definition order. */
  downstream(key: string): readonly string[] {
    return this.children.get(key) ?? [];
  }

  /** Group name -> member keys, groups in order of first appearance. */
  groups(): ReadonlyMap<string, readonly string[]> {
    return this.groupMembers;
  }

  groupOf(key: string): string {
    return this.get(key).group;
  }

  byDefinitionOrder(keys: Iterable<string>): string[] {
    return [...keys].sort((a, b) => (this.index.get(a) ?? Infinity) - (this.index.get(b) ?? Infinity));
  }

  /** Every key in dependency order; among assets ready at the same time, definition order wins. */
  topologicalOrder(): readonly string[] {
    if (this.topo) return this.topo;
    const pending = new Map(this.keys.map((k) => [k, this.upstream(k).length]));
    const ready = this.keys.filter((k) => pending.get(k) === 0).map((k) => this.index.get(k)!);
    const order: string[] = [];
    while (ready.length > 0) {
      const key = this.keys[ready.shift()!];
      order.push(key);
      for (const child of this.downstream(key)) {
        const left = pending.get(child)! - 1;
        pending.set(child, left);
        if (left === 0) insertSorted(ready, this.index.get(child)!);
      }
    }
    if (order.length < this.keys.length) {
      const cycles = this.findCycles().map(formatCycle);
      throw new DefinitionError("CYCLE", `asset graph has a cycle: ${cycles.join("; ")}`, {
        context: { assets: cycles.join("; ") },
        hint: "break the cycle by removing one of these inputs or deps",
      });
    }
    this.topo = Object.freeze(order);
    return this.topo;
  }

  /** The given keys, ordered as in `topologicalOrder()`. */
  sortTopologically(keys: Iterable<string>): string[] {
    const wanted = new Set(keys);
    return this.topologicalOrder().filter((k) => wanted.has(k));
  }

  /** The roots plus everything up to `hops` edges upstream of them. */
  upstreamLayers(roots: Iterable<string>, hops = Number.POSITIVE_INFINITY): Set<string> {
    return this.walk(roots, hops, (k) => this.upstream(k));
  }

  /** The roots plus everything up to `hops` edges downstream of them. */
  downstreamLayers(roots: Iterable<string>, hops = Number.POSITIVE_INFINITY): Set<string> {
    return this.walk(roots, hops, (k) => this.downstream(k));
  }

  /**
   * One cycle per strongly connected component that has one, each as the list of keys along
   * the cycle (last one feeds the first), starting at its earliest-defined member.
   */
  findCycles(): string[][] {
    return this.stronglyConnected()
      .filter((scc) => scc.length > 1 || this.upstream(scc[0]).includes(scc[0]))
      .map((scc) => this.cycleWithin(new Set(scc), this.byDefinitionOrder(scc)[0]))
      .sort((a, b) => this.index.get(a[0])! - this.index.get(b[0])!);
  }

  private walk(roots: Iterable<string>, hops: number, next: (key: string) => readonly string[]): Set<string> {
    const seen = new Set(roots);
    let frontier = [...seen];
    for (let hop = 0; hop < hops && frontier.length > 0; hop++) {
      const nextFrontier: string[] = [];
      for (const key of frontier) {
        for (const n of next(key)) {
          if (!seen.has(n)) {
            seen.add(n);
            nextFrontier.push(n);
          }
        }
      }
      frontier = nextFrontier;
    }
    return seen;
  }

  /** Shortest path start -> ... -> start inside one strongly connected component. */
  private cycleWithin(members: Set<string>, start: string): string[] {
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const key = queue.shift()!;
      for (const child of this.downstream(key)) {
        if (!members.has(child)) continue;
        if (child === start) {
          const path = [key];
          while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
          return path;
        }
        if (!cameFrom.has(child)) {
          cameFrom.set(child, key);
          queue.push(child);
        }
      }
    }
    return [start];
  }

  /** Tarjan's algorithm, iterative so deep chains cannot overflow the stack. */
  private stronglyConnected(): string[][] {
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const result: string[][] = [];
    let counter = 0;
    for (const root of this.keys) {
      if (order.has(root)) continue;
      const work: Array<{ key: string; next: number }> = [{ key: root, next: 0 }];
      order.set(root, counter);
      low.set(root, counter++);
      stack.push(root);
      onStack.add(root);
      while (work.length > 0) {
        const frame = work[work.length - 1];
        const children = this.downstream(frame.key);
        if (frame.next < children.length) {
          const child = children[frame.next++];
          if (!order.has(child)) {
            order.set(child, counter);
            low.set(child, counter++);
            stack.push(child);
            onStack.add(child);
            work.push({ key: child, next: 0 });
          } else if (onStack.has(child)) {
            low.set(frame.key, Math.min(low.get(frame.key)!, order.get(child)!));
          }
          continue;
        }
        work.pop();
        if (work.length > 0) {
          const parent = work[work.length - 1].key;
          low.set(parent, Math.min(low.get(parent)!, low.get(frame.key)!));
        }
        if (low.get(frame.key) === order.get(frame.key)) {
          const scc: string[] = [];
          let member: string;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            scc.push(member);
          } while (member !== frame.key);
          result.push(scc);
        }
      }
    }
    return result;
  }
}

const cache = new WeakMap<Definitions, AssetGraph>();

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}
