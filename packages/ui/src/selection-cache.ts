/**
 * Resolves selection strings with the CLI's syntax, remembering results: the
 * runs list and the asset pages resolve the same few selections over and over.
 */
import { type Definitions, resolveSelection } from "@daydream/core";

const MAX_ENTRIES = 200;

export class SelectionCache {
  private readonly cache = new Map<string, string[]>();

  constructor(private readonly definitions: Definitions) {}

  /** Asset keys in topological order; throws SelectionError for a bad selection. */
  resolve(selection: string): string[] {
    const cached = this.cache.get(selection);
    if (cached !== undefined) return cached;
    const keys = resolveSelection(this.definitions, selection);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(selection, keys);
    return keys;
  }

  /**
   * Like `resolve`, for selections recorded by past runs: a run made with other
   * definitions may name assets that no longer exist, which is not an error here.
   */
  resolveRecorded(selection: string): { keys: string[]; error?: string } {
    try {
      return { keys: this.resolve(selection) };
    } catch (err) {
      return { keys: [], error: err instanceof Error ? err.message : String(err) };
    }
  }
}
