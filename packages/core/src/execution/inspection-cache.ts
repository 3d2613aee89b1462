import type { Storage } from "../instance/types.ts";

/**
 * Reads of the instance's recorded states kept between inspections (a UI server keeps one for
 * its lifetime), each under the versions of the assets' states it was read from
 * (`Storage.assetStateVersion`), so it is read again as soon as one of them records an outcome
 * or is wiped. Only instance reads are kept: store listings and current code versions are read
 * by every inspection, so deleted files and edited templates show at once. Values are shared
 * between inspections: their users must not change them.
 */
export class InspectionCache {
  private readonly entries = new Map<string, { version: string; value: unknown }>();

  read<T>(key: string, version: string, load: () => T): T {
    const kept = this.entries.get(key);
    if (kept !== undefined && kept.version === version) return kept.value as T;
    // A write between reading the version and loading leaves newer data under an older
    // version: harmless, the next version read differs and loads again.
    const value = load();
    this.entries.set(key, { version, value });
    return value;
  }
}

/** One inspection's reads of recorded states: through the cache when there is one and the storage versions its states. */
export class StateReads {
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly storage: Storage,
    private readonly cache?: InspectionCache,
  ) {}

  /** What `load` returns, or what it returned for `key` while the states of `assets` were as they are now. */
  read<T>(key: string, assets: readonly string[], load: () => T): T {
    const storage = this.storage;
    if (this.cache === undefined || storage.assetStateVersion === undefined) return load();
    const version = assets
      .map((asset) => {
        let known = this.versions.get(asset);
        if (known === undefined) {
          known = storage.assetStateVersion!(asset);
          this.versions.set(asset, known);
        }
        return known;
      })
      .join(",");
    return this.cache.read(key, version, load);
  }
}
