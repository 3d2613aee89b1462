import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PostgresStorage } from "@daydream/postgres";
import { QueueError } from "./queue-errors.ts";

/** The file in the shared data root whose content every machine must read the same. */
export const SHARED_ROOT_MARKER = ".assets-shared-root";

interface RegisteredRoot {
  marker: string;
  path: string;
  host: string;
}

/**
 * Checks that this machine sees the instance's shared data root: the first process to look writes
 * a marker file there and records its content in the database; every later one (enqueuer or worker,
 * on any machine) must find the same marker in its own data root, or is refused before any step
 * runs, since its outputs would land where no other machine reads them.
 */
export function verifySharedRoot(storage: PostgresStorage, root: string): void {
  const dir = path.resolve(root);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new QueueError("SHARED_ROOT_MISSING", `the data root ${dir} does not exist on ${os.hostname()}`, {
      context: { root: dir, host: os.hostname() },
      hint: "mount the shared file system that holds the data root here, or point DD_DATA_ROOT at it",
    });
  }
  const file = path.join(dir, SHARED_ROOT_MARKER);
  const conn = storage.connection;
  const registered = (): RegisteredRoot | undefined =>
    conn.query<RegisteredRoot>(
      "SELECT marker, path, host FROM queue_shared_root WHERE id = 1",
      [],
      "read shared root",
    ).rows[0];
  let known = registered();
  if (known === undefined) {
    const marker = readMarker(file) ?? writeMarker(file);
    conn.query(
      `INSERT INTO queue_shared_root (id, marker, path, host, created_at) VALUES (1, $1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [marker, dir, os.hostname(), new Date().toISOString()],
      "record shared root",
    );
    known = registered();
  }
  const mine = readMarker(file);
  if (known !== undefined && mine !== known.marker) {
    throw new QueueError(
      "SHARED_ROOT_MISMATCH",
      `${os.hostname()} sees a different data root at ${dir} than the instance's runs use (first seen at ${known.path} on ${known.host})`,
      {
        context: { root: dir, host: os.hostname(), expected: known.marker, found: mine ?? "no marker file" },
        hint: `every machine must see the same files: mount the shared data root here (it holds ${SHARED_ROOT_MARKER}). If the data root moved for good, delete the row of queue_shared_root in the instance's database`,
      },
    );
  }
}

function readMarker(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Written beside and renamed over, so a reader never sees half a marker; a marker already there wins. */
function writeMarker(file: string): string {
  const marker = randomUUID();
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${marker}\n`);
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return readMarker(file) ?? marker;
}
