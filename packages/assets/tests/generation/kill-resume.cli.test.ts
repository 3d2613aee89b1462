/**
 * A run killed with SIGKILL part-way through (LLM answers from a slow fake OpenAI server)
 * and resumed with `--missing`: finished generations are left alone, the rest are completed,
 * and no partial file (temp file, parsed.txt without raw.txt/metadata.json) remains.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../../src/llm/fake-openai-server.ts";
import { collect, materializeOk, spawnCli, writeProjectConfig } from "./helpers/cli.ts";
import {
  finishedGenIds,
  gensFiles,
  snapshotDir,
  type TempProject,
  tempProject,
} from "./helpers/data-root.ts";

const EVALUATIONS = 8;
let project: TempProject;
let server: FakeOpenAiServer;
let llmEnv: Record<string, string>;

beforeAll(async () => {
  project = tempProject("gen-kill-");
  writeProjectConfig(project.dir);
  // Drafts and essays with the offline client; only the evaluations go to the slow server.
  await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
  await materializeOk(project.dir, [
    "--select",
    "group:generation_draft,group:generation_essays",
    "--missing",
  ]);
  server = await startFakeOpenAiServer({ delayMs: 250 });
  llmEnv = { DD_LLM: "openai", DD_LLM_BASE_URL: server.baseUrl, DD_LLM_API_KEY: "test" };
});

afterAll(async () => {
  await server?.close();
  project.cleanup();
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a generation run killed mid-way", () => {
  it("resumes with --missing without recomputing finished evaluations and leaves no partial files", async () => {
    const select = ["materialize", "--select", "evaluation_prompt,evaluation_response"];
    const child = spawnCli(project.dir, [...select, "--all-partitions", "--concurrency", "2"], llmEnv);
    const exited = collect(child);
    await waitFor(() => finishedGenIds(project.dataRoot, "evaluation").length >= 3, 30_000);
    child.kill("SIGKILL");
    expect((await exited).signal).toBe("SIGKILL");
    // Requests the dead run had in flight are closed before counting what the resumed run sends.
    await waitFor(() => server.inFlight() === 0, 5_000);

    const done = finishedGenIds(project.dataRoot, "evaluation");
    expect(done.length).toBeGreaterThanOrEqual(3);
    expect(done.length).toBeLessThan(EVALUATIONS);
    const before = new Map(
      done.map((id) => [id, snapshotDir(path.join(project.dataRoot, "gens", "evaluation", id))]),
    );
    const requestsBefore = server.requests.length;

    const resumed = await materializeOk(project.dir, [...select.slice(1), "--missing"], llmEnv);
    expect(resumed.status).toBe("succeeded");
    expect(server.requests.length - requestsBefore).toBe(EVALUATIONS - done.length);
    expect(finishedGenIds(project.dataRoot, "evaluation")).toHaveLength(EVALUATIONS);
    for (const [id, snapshot] of before) {
      expect(snapshotDir(path.join(project.dataRoot, "gens", "evaluation", id))).toEqual(snapshot);
    }

    const files = gensFiles(project.dataRoot);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    for (const parsed of files.filter((f) => f.endsWith("parsed.txt"))) {
      const dir = path.dirname(parsed);
      expect(files).toContain(path.join(dir, "raw.txt"));
      expect(files).toContain(path.join(dir, "metadata.json"));
    }
    // The API key reached the server but none of the files the run wrote.
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer test");
    for (const id of finishedGenIds(project.dataRoot, "evaluation")) {
      const meta = fs.readFileSync(
        path.join(project.dataRoot, "gens", "evaluation", id, "metadata.json"),
        "utf8",
      );
      expect(JSON.parse(meta)).toMatchObject({ llm_provider: "openai-compatible", finish_reason: "stop" });
      expect(meta).not.toContain('"test"');
    }
  });
});
