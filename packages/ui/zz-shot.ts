import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadDefinitions, materialize, openInstance } from "@daydream/core";
import { startUiServer } from "@daydream/ui";
import { chromium } from "playwright-core";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "ui-shot-"));
const instance = openInstance(home);
const defs = await loadDefinitions("packages/ui/tests/fixtures/definitions.ts");
await materialize(defs, { selection: "settings,register_items", instance });
await materialize(defs, { selection: "item_value", partitions: "all", instance });
const server = await startUiServer({ definitions: defs, instance, projectRoot: home, port: 0 });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
page.on("console", (m) => console.log("console:", m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(server.url);
await page.waitForSelector("[data-asset=item_value]");
await page.screenshot({ path: "/tmp/shot-graph.png" });
await page.click("[data-asset=item_value]");
await page.waitForSelector("#partitions-table table");
await page.screenshot({ path: "/tmp/shot-asset.png", fullPage: true });
await page.goto(server.url + "#/launch?select=item_report");
await page.waitForTimeout(600);
await page.screenshot({ path: "/tmp/shot-launch.png", fullPage: true });
await page.click("#launch-submit");
await page.waitForSelector("#run-counts");
await page.waitForTimeout(1500);
await page.screenshot({ path: "/tmp/shot-run.png", fullPage: true });
await browser.close();
await server.close();
instance.close();
