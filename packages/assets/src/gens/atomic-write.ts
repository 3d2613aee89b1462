import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// Temp names are `.<file>.<pid>.<hex>.tmp` (staleTempFiles.ts relies on it). A per-process
// counter from a random start keeps them unique without drawing random bytes for every write.
let tempCounter = randomBytes(4).readUInt32BE(0);

function tempPathFor(file: string): string {
  tempCounter = (tempCounter + 1) >>> 0;
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${tempCounter.toString(16)}.tmp`,
  );
}

/**
 * Write `content` to `file` atomically: a temp file in the same directory, then rename, so a
 * reader (or a run resumed after a crash) sees the old file or the whole new one, never a part.
 * Missing directories are created when the first write finds them absent, not probed on every
 * write. Callback fs with one promise per write: thousands of writes per run cost the event
 * loop less than fs/promises' per-operation promises, and the disk work stays off the main thread.
 */
export function writeFileAtomic(file: string, content: string): Promise<void> {
  if (process.env.XSYNC) { const t = tempPathFor(file); try { fs.writeFileSync(t, content); } catch { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(t, content); } fs.renameSync(t, file); return Promise.resolve(); }
  const temp = tempPathFor(file);
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => fs.rm(temp, { force: true }, () => reject(err));
    const rename = () =>
      fs.rename(temp, file, (err) => {
        if (err) fail(err);
        else resolve();
      });
    fs.writeFile(temp, content, "utf8", (err) => {
      if (!err) return rename();
      if (err.code !== "ENOENT") return fail(err);
      fs.mkdir(path.dirname(file), { recursive: true }, (mkdirErr) => {
        if (mkdirErr) return fail(mkdirErr);
        fs.writeFile(temp, content, "utf8", (retryErr) => (retryErr ? fail(retryErr) : rename()));
      });
    });
  });
}
