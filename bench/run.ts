/**
 * Runs every bench/*.bench.ts in its own child process, one after another, so
 * that each benchmark measures a fresh process and none disturbs another.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const benchDir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
  .sort();

// The CLI benchmarks measure the prebuilt command, so make sure it matches the sources.
const buildResult = spawnSync(process.execPath, [path.join(benchDir, "../scripts/build.mjs")], {
  stdio: "inherit",
});
if (buildResult.status !== 0) process.exit(buildResult.status ?? 1);

let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}`);
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(benchDir, file)], {
    stdio: "inherit",
  });
  if (res.status !== 0) {
    failed++;
    console.error(`bench ${file} exited with ${res.status ?? res.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
