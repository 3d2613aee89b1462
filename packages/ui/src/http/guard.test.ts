import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";
import { accessPolicy, isLoopbackHost } from "./guard.ts";

const TOKEN = "test-token-0123456789abcdef";

describe("access policy", () => {
  it("requires no token on loopback addresses", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) {
      expect(isLoopbackHost(host)).toBe(true);
      expect(accessPolicy(host, undefined)).toEqual({ token: undefined, loopbackOnly: true, warnings: [] });
    }
  });

  it("generates a token and warns when binding beyond loopback", () => {
    for (const host of ["0.0.0.0", "192.168.1.20", "::"]) {
      const policy = accessPolicy(host, undefined);
      expect(policy.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(policy.loopbackOnly).toBe(false);
      expect(policy.warnings[0]).toContain(host);
    }
    expect(accessPolicy("0.0.0.0", undefined).token).not.toBe(accessPolicy("0.0.0.0", undefined).token);
  });

  it("keeps a given token and rejects a short one", () => {
    expect(accessPolicy("0.0.0.0", TOKEN).token).toBe(TOKEN);
    expect(() => accessPolicy("0.0.0.0", "short")).toThrow(/at least 16/);
  });
});

describe("token rule over HTTP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ token: TOKEN });
  });
  afterAll(async () => {
    await h.close();
  });

  it("lets anyone read without the token", async () => {
    expect((await h.request("/api/assets")).status).toBe(200);
    expect((await h.request("/api/meta")).body.tokenRequired).toBe(true);
  });

  it("refuses a state-changing request without the token or with a wrong one (401)", async () => {
    const none = await h.post("/api/runs", { selection: "settings" });
    expect(none.status).toBe(401);
    expect(none.body.error.hint).toContain("Bearer");
    const wrong = await h.post("/api/runs", { selection: "settings" }, { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect((await h.post("/api/runs/any/cancel")).status).toBe(401);
    expect((await h.request("/api/runs")).body.runs).toEqual([]);
  });

  it("accepts the token as a bearer header or x-assets-token", async () => {
    const bearer = await h.post("/api/runs", { selection: "settings" }, { authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(202);
    const header = await h.post("/api/runs", { selection: "settings" }, { "x-assets-token": TOKEN });
    expect(header.status).toBe(202);
  });
});

describe("browser protections on loopback", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const runCount = async (): Promise<number> => (await h.request("/api/runs")).body.runs.length;

  it("refuses a cross-origin state-changing request (403)", async () => {
    const res = await h.post("/api/runs", { selection: "settings" }, { origin: "http://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden_origin");
  });

  it("accepts a same-origin request from the UI's own page", async () => {
    const origin = new URL(h.server.url).origin;
    const res = await h.post("/api/runs", { selection: "settings" }, { origin });
    expect(res.status).toBe(202);
  });

  it("refuses a state-changing request from an opaque origin (Origin: null: sandboxed or file: pages)", async () => {
    const before = await runCount();
    const launch = await h.post("/api/runs", { selection: "settings" }, { origin: "null" });
    expect(launch.status).toBe(403);
    expect(launch.body.error).toMatchObject({
      code: "forbidden_origin",
      message: expect.stringContaining("null"),
    });
    expect(launch.body.error.hint).toBeTruthy();
    const cancel = await h.request("/api/runs/any/cancel", { method: "POST", headers: { origin: "null" } });
    expect(cancel.status).toBe(403);
    expect(await runCount()).toBe(before);
    // reading stays open to it, as to any client
    expect((await h.request("/api/assets", { headers: { origin: "null" } })).status).toBe(200);
  });

  it("refuses a launch request without a body, with or without a JSON content type (400)", async () => {
    const before = await runCount();
    const headerSets: Record<string, string>[] = [
      {},
      { "content-type": "application/json" },
      { "content-type": "text/plain" },
    ];
    for (const headers of headerSets) {
      const res = await h.request("/api/runs", { method: "POST", headers });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("body_required");
      expect(res.body.error.hint).toContain("application/json");
    }
    expect(await runCount()).toBe(before);
  });

  it("takes a body only with the JSON media type itself, parameters and case aside", async () => {
    const before = await runCount();
    const body = JSON.stringify({ selection: "settings" });
    for (const type of ["application/json-evil", "application/jsonp", "text/plain", "application/x-json"]) {
      const res = await h.request("/api/runs", { method: "POST", headers: { "content-type": type }, body });
      expect(res.status, type).toBe(415);
      expect(res.body.error.code).toBe("unsupported_media_type");
    }
    expect(await runCount()).toBe(before);
    for (const type of [
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/json ;charset=UTF-8",
    ]) {
      const res = await h.request("/api/runs", { method: "POST", headers: { "content-type": type }, body });
      expect(res.status, type).toBe(202);
    }
  });

  it("refuses API requests naming a non-loopback Host (DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL("/api/assets", h.server.url),
        { headers: { host: "evil.example:80" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it("answers 405 for a wrong method", async () => {
    const res = await h.request("/api/assets", { method: "DELETE" });
    expect(res.status).toBe(405);
  });
});
