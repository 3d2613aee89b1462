import path from "node:path";
import { loadDefinitions, openInstance } from "@daydream/core";
import { startUiServer } from "@daydream/ui";
import { chromium } from "playwright-core";

const dir = process.argv[2];
process.env.DD_DATA_ROOT = path.join(dir, "data");
const instance = openInstance(path.join(dir, "home"));
const defs = await loadDefinitions("packages/assets/src/definitions.ts");
const server = await startUiServer({ definitions: defs, instance, projectRoot: dir, port: 0 });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(server.url);
await page.waitForSelector("[data-asset=evaluation_response]");
await page.screenshot({ path: "/tmp/real-graph.png" });
await page.goto(server.url + "#/cohorts");
await page.waitForSelector("#cohorts-table");
const id = await page.getAttribute("[data-cohort]", "data-cohort");
await page.goto(server.url + "#/cohorts/" + id);
await page.waitForSelector("#ranking");
await page.screenshot({ path: "/tmp/real-cohort.png", fullPage: true });
await page.click("#ranking-table tbody tr:first-child td:nth-child(2) a");
await page.waitForSelector(".gen-file");
await page.screenshot({ path: "/tmp/real-gen.png", fullPage: true });
await browser.close();
await server.close();
instance.close();
