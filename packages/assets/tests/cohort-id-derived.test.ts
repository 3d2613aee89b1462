/**
 * cohort_id read before it was ever materialized (a fresh clone): its IO manager derives
 * the id as the asset would and writes the same cohort files, without storing the id.
 */
import fs from "node:fs";
import path from "node:path";
import type { AssetsError } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openWorkspace, type Workspace } from "./helpers/materialize-helper.ts";

let ws: Workspace;

beforeEach(() => {
  ws = openWorkspace("dd-e2e-derived-id-");
});
afterEach(() => {
  delete process.env.DD_COHORT;
  ws.close();
});

const cohortFile = (id: string, name: string) => path.join(ws.root, "cohorts", id, name);
const storedIdFile = () => path.join(ws.root, "cohorts", "cohort_id.txt");
const read = (file: string) => fs.readFileSync(file, "utf8");

describe("cohort_membership when cohort_id was never materialized", () => {
  it("derives the deterministic cohort id, writes manifest.json and cohort.yaml as cohort_id does, and stores no id", async () => {
    const { summary, metadata } = await ws.run("cohort_membership");
    expect(summary.status).toBe("succeeded");
    const id = metadata.cohort_membership.cohort_id as string;
    expect(id).toMatch(/^cohort-[0-9a-f]{12}$/);
    expect(metadata.cohort_membership.cohort_id_source).toBe(
      "derived from manifest (cohort_id not materialized)",
    );
    expect(fs.existsSync(cohortFile(id, "membership.csv"))).toBe(true);
    expect(fs.existsSync(storedIdFile())).toBe(false);
    const manifest = read(cohortFile(id, "manifest.json"));
    const yaml = read(cohortFile(id, "cohort.yaml"));

    // Materializing cohort_id now computes the same id and finds its files already exactly as it writes them.
    const later = await ws.run("cohort_id");
    expect(later.metadata.cohort_id).toMatchObject({ cohort_id: id, source: "manifest" });
    expect(read(storedIdFile())).toBe(id);
    expect(read(cohortFile(id, "manifest.json"))).toBe(manifest);
    expect(read(cohortFile(id, "cohort.yaml"))).toBe(yaml);

    const again = await ws.run("cohort_membership");
    expect(again.metadata.cohort_membership.cohort_id).toBe(id);
    expect(again.metadata.cohort_membership).not.toHaveProperty("cohort_id_source");
  });

  it("says in the run's log that it derived the id", async () => {
    const { summary, metadata } = await ws.run("cohort_membership");
    const log = read(summary.logPath)
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const note = log.find((l) => String(l.msg).startsWith("cohort_id has not been materialized"));
    expect(note).toMatchObject({
      asset: "cohort_membership",
      cohort_id: metadata.cohort_membership.cohort_id,
      source: "manifest",
    });
  });

  it("takes the id from DD_COHORT", async () => {
    process.env.DD_COHORT = "derived-demo";
    const { summary, metadata } = await ws.run("cohort_membership");
    expect(summary.status).toBe("succeeded");
    expect(metadata.cohort_membership).toMatchObject({
      cohort_id: "derived-demo",
      cohort_id_source: "derived from DD_COHORT (cohort_id not materialized)",
    });
    expect(read(cohortFile("derived-demo", "cohort.yaml"))).toMatch(/^id: "derived-demo"\nmode: cartesian\n/);
    expect(fs.existsSync(cohortFile("derived-demo", "membership.csv"))).toBe(true);
  });

  it("rejects an unsafe DD_COHORT and writes nothing", async () => {
    process.env.DD_COHORT = "../escape";
    const { summary, errors } = await ws.run("cohort_membership");
    expect(summary.status).toBe("failed");
    expect(errors.cohort_membership.message).toMatch(/cohort id "\.\.\/escape" contains "\.\."/);
    expect((errors.cohort_membership as AssetsError).hint).toMatch(/^set the DD_COHORT environment variable/);
    expect(fs.existsSync(path.join(ws.root, "cohorts"))).toBe(false);
    expect(fs.existsSync(path.join(ws.root, "escape"))).toBe(false);
  });

  it("uses the stored id once cohort_id is materialized, whatever DD_COHORT says later", async () => {
    const first = await ws.run("cohort_id");
    const id = first.metadata.cohort_id.cohort_id as string;
    process.env.DD_COHORT = "not-used";
    const { metadata } = await ws.run("cohort_membership");
    expect(metadata.cohort_membership.cohort_id).toBe(id);
    expect(metadata.cohort_membership).not.toHaveProperty("cohort_id_source");
    expect(fs.existsSync(path.join(ws.root, "cohorts", "not-used"))).toBe(false);
  });
});

describe("task tables when cohort_id was never materialized", () => {
  it("read the derived id and project the membership cohort_membership built from it", async () => {
    await ws.run("cohort_membership");
    const { summary, metadata } = await ws.run("draft_generation_tasks");
    expect(summary.status).toBe("succeeded");
    expect(metadata.draft_generation_tasks).toMatchObject({
      source: "membership",
      task_count: 2,
      cohort_id_source: "derived from manifest (cohort_id not materialized)",
    });
  });
});
