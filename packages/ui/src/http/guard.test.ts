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
