import type { AssetStateChange, Storage } from "../instance/types.ts";

/**
 * Brings a kept value up to date with the partition states recorded since it was read (by
 * asset; only assets whose states moved are present). Returns the new value without changing
 * `kept` (an inspection still running may hold it), or undefined to have it read again.
 */
export type StateUpdate<T> = (
  kept: T,
  changes: ReadonlyMap<string, readonly AssetStateChange[]>,
) => T | undefined;

/** Past this many changed states a kept value is read again rather than updated. */
const MAX_CHANGES = 5_000;

interface Entry {
  variant: string;
  versions: readonly string[];
  value: unknown;
}

/**
 * Reads of the instance's recorded states kept between inspections (a UI server keeps one for
 * its lifetime), each under the versions of the assets' states it was read from
 * (`Storage.assetStateVersion`): when one of them records an outcome, the value is updated with
 * the states recorded since (`Storage.assetStateChanges`) when the read knows how, else read
 * again; a wipe always means reading again. The keys of dynamic partitions are kept likewise.
 * Only instance reads are kept: store listings and
 * current code versions are read by every inspection, so deleted files and edited templates
 * show at once. Values are shared between inspections: their users must not change them.
 */
export class InspectionCache {
  private readonly entries = new Map<string, Entry>();

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: Entry): void {
    this.entries.set(key, entry);
  }
}

/** One inspection's reads of recorded states: through the cache when there is one and the storage versions its states. */
export class StateReads {
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly storage: Storage,
    private readonly cache?: InspectionCache,
  ) {}

  /**
   * What `load` returns, or what it returned for `key` and `variant` (what else the read
   * depends on) while the states of `assets` were as they are now, or that value brought up to
   * date by `update`.
   */
  read<T>(
    key: string,
    assets: readonly string[],
    load: () => T,
    opts: { variant?: string; update?: StateUpdate<T> } = {},
  ): T {
    if (this.cache === undefined || this.storage.assetStateVersion === undefined) return load();
    const now = assets.map((asset) => this.versionOf(asset));
    const { update } = opts;
    return this.kept(
      key,
      opts.variant ?? "",
      now,
      load,
      update && ((entry) => this.updated(entry, assets, now, update)),
    );
  }

  /** The keys of a dynamic partitions definition, kept while its version holds (`Storage.dynamicPartitionsVersion`). */
  partitionKeys(name: string, load: () => string[]): readonly string[] {
    const version = this.cache === undefined ? undefined : this.storage.dynamicPartitionsVersion?.(name);
    if (version === undefined) return load();
    return this.kept(`partitions\u0000${name}`, "", [version], load);
  }

  /** The cache's value for `key` when read under these versions, else refreshed from it, else loaded. */
  private kept<T>(
    key: string,
    variant: string,
    versions: readonly string[],
    load: () => T,
    refresh?: (entry: Entry) => { versions: readonly string[]; value: T } | undefined,
  ): T {
    const cache = this.cache!;
    const entry = cache.get(key);
    if (entry !== undefined && entry.variant === variant) {
      if (entry.versions.every((v, i) => v === versions[i])) return entry.value as T;
      const refreshed = refresh?.(entry);
      if (refreshed !== undefined) {
        cache.set(key, { variant, ...refreshed });
        return refreshed.value;
      }
    }
    // A write between reading the versions and loading leaves newer data under older versions:
    // harmless, the states recorded since are applied again (updates set, they do not add).
    const value = load();
    cache.set(key, { variant, versions, value });
    return value;
  }

  private versionOf(asset: string): string {
    let known = this.versions.get(asset);
    if (known === undefined) {
      known = this.storage.assetStateVersion!(asset);
      this.versions.set(asset, known);
    }
    return known;
  }

  /** The kept value with the states recorded since applied, under the versions they bring; undefined to read again. */
  private updated<T>(
    kept: Entry,
    assets: readonly string[],
    now: readonly string[],
    update: StateUpdate<T>,
  ): { versions: string[]; value: T } | undefined {
    const changesOf = this.storage.assetStateChanges?.bind(this.storage);
    if (changesOf === undefined) return undefined;
    const changes = new Map<string, readonly AssetStateChange[]>();
    const versions = [...now];
    let total = 0;
    for (let i = 0; i < assets.length; i++) {
      if (kept.versions[i] === now[i]) continue;
      const since = changesOf(assets[i], kept.versions[i]);
      if (since === undefined) return undefined;
      total += since.changes.length;
      if (total > MAX_CHANGES) return undefined;
      // Later than `now` when a write came in between: the value is then as of that version.
      versions[i] = since.version;
      changes.set(assets[i], since.changes);
    }
    const value = update(kept.value as T, changes);
    return value === undefined ? undefined : { versions, value };
  }
}
