import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asset, defineDefinitions, dynamicPartitions, materialize, openInstance } from "./src/index.ts";
const items = dynamicPartitions("items");
const defs = defineDefinitions({ assets: [asset({ key: "trivial", partitions: items, compute: (ctx) => ctx.partitionKey!.length })] });
const keys = Array.from({ length: Number(process.env.N) }, (_, i) => `item_${i}`);
const root = fs.mkdtempSync(path.join(os.tmpdir(), "probe-"));
const instance = openInstance(root);
instance.addDynamicPartitions(items, keys);
const mb = (n: number) => (n / 1e6).toFixed(0);
const m0 = process.memoryUsage(); console.log("before", mb(m0.rss), mb(m0.heapUsed), mb(m0.external));
let n = 0;
const t = performance.now();
await materialize(defs, { instance, selection: "trivial", partitions: "all", logLevel: process.env.LVL as any, onProgress: (e) => {
  if (e.type === "step_success" && ++n % 2000 === 0) { const m = process.memoryUsage(); console.log(n, mb(m.rss), mb(m.heapUsed), mb(m.external), mb(m.arrayBuffers), (performance.now()-t).toFixed(0)); }
}});
const m1 = process.memoryUsage(); console.log("after", mb(m1.rss), mb(m1.heapUsed), mb(m1.external), "maxrss", (process.resourceUsage().maxRSS/1024).toFixed(0));
instance.close();
fs.rmSync(root, { recursive: true });
