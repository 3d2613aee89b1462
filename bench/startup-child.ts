/**
 * Child of startup.bench.ts: imports core, loads the examples/hello definitions module and
 * opens the instance at argv[2], then prints how long that took inside this process.
 */
import path from "node:path";

const start = performance.now();
const { loadDefinitions, openInstance } = await import("../packages/core/src/index.ts");
const defs = await loadDefinitions(
  path.join(import.meta.dirname, "..", "examples", "hello", "definitions.ts"),
);
const instance = openInstance(process.argv[2]);
instance.close();
const end = performance.now();
if (defs.assets.size === 0) throw new Error("no assets loaded");
// performance.now() counts from process start, so `end` is the whole in-process time.
console.log(JSON.stringify({ loadAndOpenMs: end - start, sinceProcessStartMs: end }));
