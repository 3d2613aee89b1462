import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import fs from "node:fs"; import os from "node:os"; import path from "node:path";
const n = Number(process.argv[2] ?? 850000);
const keys = Array.from({ length: n }, (_, i) => createHash("sha256").update(String(i)).digest("hex").slice(0, 16));
for (const order of ["", "ORDER BY json_each.value"]) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-p4-"));
  const db = new Database(path.join(tmp, "x.db"));
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE dynamic_partitions (name TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (name, position), UNIQUE (name, key)) WITHOUT ROWID;`);
  const ins = db.prepare(`INSERT OR IGNORE INTO dynamic_partitions (name, position, key) SELECT ?, ? + json_each.key, json_each.value FROM json_each(?) ${order}`);
  const run = db.transaction(() => { let a = 0; for (let s = 0; s < keys.length; s += 50000) a += ins.run("e", 1 + s, JSON.stringify(keys.slice(s, s + 50000))).changes; return a; });
  let t = performance.now(); const a1 = run(); const t1 = performance.now() - t;
  t = performance.now(); const a2 = run(); const t2 = performance.now() - t;
  console.log(JSON.stringify(order), "new", a1, t1.toFixed(0), "again", a2, t2.toFixed(0));
  db.close(); fs.rmSync(tmp, { recursive: true, force: true });
}
