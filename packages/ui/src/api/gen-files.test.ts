/** GET /api/gens/:stage/:genId/:file streams the file: large files whole, without holding them in memory. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { get, type IncomingMessage } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

const MB = 1024 * 1024;
/** Size of the large raw.txt; REQUESTS concurrent reads of it would hold REQUESTS x this if read whole. */
const LARGE_BYTES = 16 * MB;
const REQUESTS = 8;

let h: Harness;
let largeDigest: string;

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A GET whose body is not read until the caller says so (the server meets backpressure meanwhile). */
function open(urlPath: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = get(new URL(urlPath, h.server.url), (res) => {
      res.pause();
      resolve(res);
    });
    req.on("error", reject);
  });
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  h = await startHarness();
  const dir = path.join(h.dir, "data", "gens", "draft", "big1");
  fs.mkdirSync(dir, { recursive: true });
  // Varied bytes (not one repeated block) so a truncated or reordered body cannot match.
  const block = Buffer.alloc(MB);
  const large = fs.openSync(path.join(dir, "raw.txt"), "w");
  const hash = createHash("sha256");
  for (let i = 0; i < LARGE_BYTES / MB; i++) {
    for (let j = 0; j < MB; j++) block[j] = 97 + ((i * 31 + j * 7) % 26);
    hash.update(block);
    fs.writeSync(large, block);
  }
  fs.closeSync(large);
  largeDigest = hash.digest("hex");
  fs.writeFileSync(path.join(dir, "metadata.json"), '{"model":"m"}');
  fs.mkdirSync(path.join(dir, "parsed.txt"));
});

afterAll(async () => {
  await h?.close();
});

describe("generation files are streamed", () => {
  it("serves a large file whole, with its length and the sandbox headers", async () => {
    const res = await open("/api/gens/draft/big1/raw.txt");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-length"]).toBe(String(LARGE_BYTES));
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.headers["content-security-policy"]).toBe("default-src 'none'; sandbox");
    const body = await readAll(res);
    expect(body.length).toBe(LARGE_BYTES);
    expect(sha256(body)).toBe(largeDigest);
  });

  it("serves a small JSON file as JSON", async () => {
    const res = await h.request("/api/gens/draft/big1/metadata.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.body).toEqual({ model: "m" });
  });

  it("answers 404 for a directory standing where a file should be", async () => {
    const res = await h.request("/api/gens/draft/big1/parsed.txt");
    expect(res.status).toBe(404);
    expect(res.body.error.hint).toContain("/api/gens/");
  });

  it("keeps memory bounded while many slow clients read the same large file", async () => {
    const before = process.memoryUsage().arrayBuffers;
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, () => open("/api/gens/draft/big1/raw.txt")),
    );
    // Every response has started and none is being read: a server that read the file whole
    // would now hold REQUESTS copies of it (128 MB); a streaming one, a few chunks each.
    const held = process.memoryUsage().arrayBuffers - before;
    expect(held).toBeLessThan(LARGE_BYTES * 2);
    const bodies = await Promise.all(responses.map(readAll));
    for (const body of bodies) expect(sha256(body)).toBe(largeDigest);
  });
});
