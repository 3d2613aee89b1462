import { startFakeOpenAiServer } from "./fake-openai-server.ts";
import OpenAI from "openai";
const server = await startFakeOpenAiServer({ delayMs: 100, recordRequests: false });
const mode = process.argv[2];
const sdk = new OpenAI({ apiKey: "k", baseURL: server.baseUrl, maxRetries: 0, logLevel: "off" });
let active = 0; const queue: (() => void)[] = [];
async function gate<T>(f: () => Promise<T>): Promise<T> { if (active >= 64) await new Promise<void>(r => queue.push(r)); else active++; try { return await f(); } finally { const n = queue.shift(); if (n) n(); else active--; } }
const t = Date.now();
let cpu = process.cpuUsage();
await Promise.all(Array.from({ length: 2000 }, (_, i) => gate(async () => {
  const body = { model: "m", messages: [{ role: "user", content: `p${i} `.repeat(200) }], max_tokens: 10 };
  if (mode === "fetch") { const r = await fetch(server.baseUrl + "/chat/completions", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer k" }, body: JSON.stringify(body) }); return r.json(); }
  return sdk.chat.completions.create(body as never);
})));
cpu = process.cpuUsage(cpu);
console.log(mode, "wall ms", Date.now() - t, "cpu ms", Math.round((cpu.user + cpu.system) / 1000));
await server.close();
