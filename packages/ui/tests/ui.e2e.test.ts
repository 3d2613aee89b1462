/**
 * The UI in a real browser against the real default definitions and the
 * sample data (copied to a temp dir), with the offline LLM.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Definitions, type Instance, loadDefinitions, materialize, openInstance } from "@daydream/core";
import { startUiServer, type UiServer } from "@daydream/ui";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./browser.ts";

const REPO = path.resolve(import.meta.dirname, "../../..");
const SCREENSHOTS = path.join(REPO, "test-output", "ui");
const DOC_IMAGES = path.join(REPO, "docs", "img");
/** The screenshots shown in docs/ui.md. */
const DOC_SCREENSHOTS = new Set(["graph", "cohort"]);

let dir: string;
let dataRoot: string;
let instance: Instance;
let definitions: Definitions;
let server: UiServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function screenshot(name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  // Refresh the images in docs/ui.md on demand only: a normal test run leaves the tree clean.
  if (process.env.UPDATE_UI_SCREENSHOTS === "1" && DOC_SCREENSHOTS.has(name)) {
    fs.copyFileSync(file, path.join(DOC_IMAGES, `ui-${name}.png`));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "assets-ui-e2e-"));
  dataRoot = path.join(dir, "data");
  // Only the committed inputs: a local demo run leaves outputs in data/ (prompts, gens, tables).
  for (const input of ["1_raw", "combo_mappings.csv", "2_tasks/selected_combo_mappings.csv"]) {
    fs.cpSync(path.join(REPO, "data", input), path.join(dataRoot, input), { recursive: true });
  }
  process.env.DD_DATA_ROOT = dataRoot;
  process.env.DD_LLM = "offline";
  instance = openInstance(path.join(dir, "home"));
  definitions = await loadDefinitions(path.join(REPO, "packages/assets/src/definitions.ts"));
  const setup = await materialize(definitions, {
    selection: "cohort_id,cohort_membership,group:task_definitions",
    instance,
  });
  expect(setup.status).toBe("succeeded");
  server = await startUiServer({
    definitions,
    instance,
    projectRoot: dir,
    dataRoot,
    port: 0,
    streamIntervalMs: 100,
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterEach(() => {
  // A script error in the page fails the test that caused it.
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  instance?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("assets ui in a browser", () => {
  it("renders every asset of the default definitions on the graph", async () => {
    await page.goto(server.url);
    await page.waitForSelector(`[data-asset="evaluation_response"]`);
    const shown = await page.$$eval("[data-asset]", (nodes) =>
      nodes.map((n) => n.getAttribute("data-asset")),
    );
    expect(shown.sort()).toEqual([...definitions.assets.keys()].sort());
    const groups = await page.$$eval("[data-group]", (nodes) =>
      nodes.map((n) => n.getAttribute("data-group")),
    );
    expect(new Set(groups)).toEqual(new Set([...definitions.assets.values()].map((a) => a.group)));
    await screenshot("graph-before-runs");
  });

  it("shows an asset's metadata when the asset is clicked", async () => {
    await page.click(`[data-asset="cohort_membership"]`);
    await page.waitForSelector("#latest .metadata");
    expect(page.url()).toContain("#/assets/cohort_membership");
    const state = instance.storage.getAssetPartitionState("cohort_membership", "");
    const [key, value] = Object.entries(state?.metadata ?? {}).find(([, v]) => typeof v !== "object")!;
    const rows = await page.$$eval("#latest .metadata tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(rows).toContain(`${key}${String(value)}`);
    // Heading, summary line, metadata table: no stray text node (it once read "null") in between.
    const children = await page.$eval("#latest", (el) => [...el.childNodes].map((node) => node.nodeName));
    expect(children).toEqual(["H2", "P", "TABLE"]);
    expect(await page.textContent("#latest")).not.toContain("null");
    expect(await page.textContent("#lineage")).toContain("cohort_id");
  });

  it("launches the demo cohort's draft partitions and shows them materialized", async () => {
    const drafts = instance.storage.getDynamicPartitions("draft_gens");
    expect(drafts.length).toBeGreaterThan(0);
    await page.goto(`${server.url}#/launch`);
    await page.fill("#launch-selection", "draft_prompt,draft_response");
    await page.check(`input[name="mode"][value="all"]`);
    await page.click("#launch-submit");
    await page.waitForURL(/#\/runs\/[^/]+$/);
    await page.waitForSelector("#run-head .badge.status-succeeded", { timeout: 30_000 });
    expect(await page.textContent("#run-counts")).toContain(`${drafts.length * 2} succeeded`);
    await page.waitForSelector("#run-log span");

    await page.goto(`${server.url}#/assets/draft_response`);
    await page.waitForSelector("#partitions-table tbody tr");
    const rows = await page.$$eval("#partitions-table tbody tr", (trs) =>
      trs.map((tr) => [tr.getAttribute("data-partition"), tr.querySelector(".badge")?.textContent]),
    );
    expect(rows).toEqual(drafts.map((key) => [key, "materialized"]));
    for (const key of drafts)
      expect(fs.existsSync(path.join(dataRoot, "gens", "draft", key, "parsed.txt"))).toBe(true);
  });

  it("shows the error of a failed partition", async () => {
    const essay = instance.storage.getDynamicPartitions("essay_gens")[0];
    // Essay templates with a syntax error: the essay's prompt cannot be rendered.
    const templates = path.join(dataRoot, "1_raw", "generation_templates", "essay");
    const originals = new Map(
      fs.readdirSync(templates).map((name) => [name, fs.readFileSync(path.join(templates, name), "utf8")]),
    );
    for (const name of originals.keys()) fs.writeFileSync(path.join(templates, name), "{% if %}\n");
    try {
      await page.goto(`${server.url}#/launch`);
      await page.fill("#launch-selection", "essay_prompt,essay_response");
      await page.check(`input[name="mode"][value="key"]`);
      await page.fill("#launch-key", essay);
      await page.click("#launch-submit");
      await page.waitForSelector("#run-head .badge.status-failed", { timeout: 30_000 });
    } finally {
      for (const [name, text] of originals) fs.writeFileSync(path.join(templates, name), text);
    }
    const failure = await page.textContent("#failures li");
    expect(failure).toContain(`[${essay}]`);
    const failedAsset = ["essay_prompt", "essay_response"].find(
      (key) => instance.storage.getAssetPartitionState(key, essay)?.status === "failed",
    )!;
    const error = instance.storage.getAssetPartitionState(failedAsset, essay)!.error!;
    expect(failure).toContain(error.split("\n")[0]);

    await page.goto(`${server.url}#/assets/${failedAsset}?status=failed`);
    await page.waitForSelector(`#partitions-table tr[data-partition="${essay}"]`);
    expect(await page.textContent(`tr[data-partition="${essay}"] .error-cell`)).toBe(error);
  });

  it("shows cohort progress, ranked essays and the score charts", async () => {
    for (const selection of ["essay_prompt,essay_response", "evaluation_prompt,evaluation_response"]) {
      const run = await materialize(definitions, { selection, partitions: "all", instance });
      expect(run.status).toBe("succeeded");
    }
    await page.goto(`${server.url}#/cohorts`);
    await page.click("[data-cohort] a");
    await page.waitForSelector("#chart-templates");
    const evaluations = instance.storage.countDynamicPartitions("evaluation_gens");
    expect(await page.textContent(`tr[data-stage="evaluation"] td.done`)).toBe(
      evaluations.toLocaleString("en-US"),
    );
    const chartRows = await page.$$eval("#chart-templates [data-group]", (gs) => gs.length);
    expect(chartRows).toBeGreaterThan(0);
    expect(await page.$$eval("#ranking-table tbody tr", (trs) => trs.length)).toBe(
      instance.storage.countDynamicPartitions("essay_gens"),
    );
    await screenshot("cohort");
    await page.click("#ranking-table tbody tr:first-child td:nth-child(2) a");
    await page.waitForSelector(`.gen-file[data-file="parsed.txt"] pre`);
    await page.goto(server.url);
    await page.waitForSelector(`[data-asset="evaluation_response"].status-materialized`);
    await screenshot("graph");
  });
});
