import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { INSTANCE_DB_FILE } from "../../instance.ts";
import { latestSchemaVersion, readSchemaVersion } from "../../storage/sqlite/migrations.ts";
import { makeTempDir, removeTempDir } from "../temp-dirs.ts";
import type { StorageHarness } from "./harness.ts";
import { openStorage } from "./open-sqlite-storage.ts";

/** The conformance harness of the SQLite storage: each location is an instance home directory. */
export function sqliteHarness(): StorageHarness {
  const base = makeTempDir("assets-conformance-");
  return {
    name: "SQLite",
    freshLocation: (label) => {
      const home = path.join(base, label);
      if (fs.existsSync(home)) throw new Error(`location ${home} was handed out before`);
      return home;
    },
    printedLocation: (home) => path.join(home, INSTANCE_DB_FILE),
    open: openStorage,
    childOpener: path.join(import.meta.dirname, "open-sqlite-storage.ts"),
    schemaVersion: async (home) => {
      const db = new Database(path.join(home, INSTANCE_DB_FILE), { readonly: true });
      try {
        return { found: readSchemaVersion(db), latest: latestSchemaVersion() };
      } finally {
        db.close();
      }
    },
    dispose: async () => removeTempDir(base),
  };
}
