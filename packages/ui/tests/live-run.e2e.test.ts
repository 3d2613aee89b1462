/** A run followed live in the browser: running steps appear without reloading, and Cancel stops the run. */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, launchAndWait, startHarness } from "../src/testing/harness.ts";
import { launchBrowser } from "./browser.ts";

let h: Harness;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness({ streamIntervalMs: 100 });
  await launchAndWait(h, { selection: "settings,register_items" });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("a live run in the browser", () => {
  it("shows running steps as they start, then cancels the run from its page", async () => {
    await page.goto(`${h.server.url}#/launch?select=slow_item`);
    await page.check(`input[name="mode"][value="keys"]`);
    await page.fill("#launch-keys", "apple\nbanana");
    await page.click("#launch-submit");
    await page.waitForURL(/#\/runs\/[^/]+$/);
    await page.waitForSelector(`#run-counts:has-text("2 running")`);
    expect(await page.textContent("#run-head .badge")).toBe("started");

    await page.click("#cancel-run");
    await page.waitForSelector("#run-head .badge.status-canceled", { timeout: 20_000 });
    const runId = decodeURIComponent(page.url().split("#/runs/")[1]);
    expect(h.instance.storage.getRun(runId)?.status).toBe("canceled");
    expect(await page.$("#cancel-run")).toBeNull();
    // Both steps were running: canceled, not skipped or failed.
    await page.waitForSelector(`#run-counts:has-text("0 skipped, 2 canceled")`);
    expect(await page.$$eval("#steps-table .badge.status-canceled", (els) => els.length)).toBe(2);
    // The engine flushes its buffered log every second, and when the run ends.
    await page.waitForSelector(`#run-log:has-text("run finished")`);
    expect(pageErrors).toEqual([]);
  });

  it("shows a launch error in the form and stays on it", async () => {
    await page.goto(`${h.server.url}#/launch?select=item_value`);
    await page.check(`input[name="mode"][value="key"]`);
    await page.fill("#launch-key", "durian");
    await page.click("#launch-submit");
    await page.waitForSelector(".error-box");
    expect(await page.textContent(".error-box")).toContain('partition key "durian" not registered');
    expect(page.url()).toContain("#/launch");
    expect(pageErrors).toEqual([]);
  });
});
