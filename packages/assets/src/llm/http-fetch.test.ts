import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpFetch } from "./http-fetch.ts";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let connections: number;

beforeEach(async () => {
  connections = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("createHttpFetch", () => {
  it("sends method, headers and body and returns status, headers and the JSON body", async () => {
    let seen: { method?: string; auth?: string; type?: string; length?: string; body?: string } = {};
    handler = (req, body, res) => {
      seen = {
        method: req.method,
        auth: req.headers.authorization,
        type: req.headers["content-type"],
        length: req.headers["content-length"],
        body,
      };
      res.writeHead(201, "Made", { "content-type": "application/json", "x-request-id": "r1" });
      res.end(JSON.stringify({ ok: "ü" }));
    };
    const payload = JSON.stringify({ prompt: "héllo" });
    const res = await createHttpFetch()(`${baseUrl}/v1/chat`, {
      method: "POST",
      headers: new Headers({ Authorization: "Bearer k", "Content-Type": "application/json" }),
      body: payload,
    });
    expect(seen).toEqual({
      method: "POST",
      auth: "Bearer k",
      type: "application/json",
      length: String(Buffer.byteLength(payload)),
      body: payload,
    });
    expect([res.status, res.statusText, res.ok]).toEqual([201, "Made", true]);
    expect(res.headers.get("x-request-id")).toBe("r1");
    expect(await res.json()).toEqual({ ok: "ü" });
    await expect(res.text()).rejects.toThrow(/already been read/);
  });

  it("decodes a gzip-encoded body", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      res.end(gzipSync("compressed answer"));
    };
    const res = await createHttpFetch()(`${baseUrl}/x`);
    expect(await res.text()).toBe("compressed answer");
  });

  it("reports an error status as a response that is not ok, with its body and a null body for 204", async () => {
    handler = (req, _body, res) => {
      if (req.url === "/empty") {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(429, { "retry-after": "3" });
      res.end("slow down");
    };
    const fetch = createHttpFetch();
    const limited = await fetch(`${baseUrl}/x`, { method: "POST", body: "{}" });
    expect([limited.status, limited.ok, limited.headers.get("retry-after")]).toEqual([429, false, "3"]);
    expect(await limited.text()).toBe("slow down");
    const empty = await fetch(`${baseUrl}/empty`);
    expect([empty.status, empty.body]).toEqual([204, null]);
  });

  it("keeps the connection open between calls", async () => {
    handler = (_req, _body, res) => res.end("ok");
    const fetch = createHttpFetch();
    for (let i = 0; i < 3; i++) expect(await (await fetch(`${baseUrl}/x`)).text()).toBe("ok");
    expect(connections).toBe(1);
  });

  it("rejects with an AbortError when the signal aborts while waiting, and at once when already aborted", async () => {
    handler = () => {};
    const fetch = createHttpFetch();
    const controller = new AbortController();
    const call = fetch(`${baseUrl}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    await expect(fetch(`${baseUrl}/x`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("rejects when the connection closes before the body is complete", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 20);
    };
    await expect(createHttpFetch()(`${baseUrl}/x`)).rejects.toThrow();
  });

  it("refuses request bodies it cannot send and non-http URLs", async () => {
    const fetch = createHttpFetch();
    await expect(fetch(`${baseUrl}/x`, { method: "POST", body: new Blob(["x"]) })).rejects.toThrow(
      /string or byte bodies/,
    );
    await expect(fetch("file:///etc/passwd")).rejects.toThrow(/cannot fetch file:/);
  });
});
