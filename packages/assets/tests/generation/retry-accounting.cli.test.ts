/**
 * Retry accounting through the real `assets` binary against the fake OpenAI server, which
 * counts every HTTP request: the client retries a call DD_LLM_MAX_ATTEMPTS times and the engine
 * retries the step (3 attempts), and the step's error and metadata count what was really sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../../src/index.ts";
import { materializeOk, runCli, writeProjectConfig } from "./helpers/cli.ts";
import { readSimpleCsv, type TempProject, tempProject } from "./helpers/data-root.ts";

// Retry-After: 0 makes the client retry at once; the engine's own 2 s + 8 s waits remain.
const UNAVAILABLE = { kind: "status", status: 503, headers: { "retry-after": "0" } } as const;

let project: TempProject;
let server: FakeOpenAiServer;
let llmEnv: Record<string, string>;
let drafts: string[];

beforeAll(async () => {
  project = tempProject("gen-retry-");
  writeProjectConfig(project.dir);
  await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
  drafts = readSimpleCsv(`${project.dataRoot}/2_tasks/draft_generation_tasks.csv`).map((r) => r.gen_id);
  await materializeOk(project.dir, ["--select", "draft_prompt", "--partitions", drafts.join(",")]);
  server = await startFakeOpenAiServer();
  llmEnv = {
    DD_LLM: "openai",
    DD_LLM_BASE_URL: server.baseUrl,
    DD_LLM_API_KEY: "test-key-0123456789",
    DD_LLM_MAX_ATTEMPTS: "2",
  };
});

afterAll(async () => {
  await server?.close();
  project?.cleanup();
});

describe("a response step whose LLM calls keep failing", () => {
  it("reports every HTTP request of every step attempt in its error", async () => {
    server.enqueue(...Array.from({ length: 6 }, () => UNAVAILABLE));
    const before = server.requests.length;
    const res = await runCli(
      project.dir,
      ["materialize", "--select", "draft_response", "--partition", drafts[0], "--json"],
      llmEnv,
    );
    expect(server.requests.length - before).toBe(6);
    // An unavailable provider is no input error: exit 1.
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as { failures: { error: string }[] };
    expect(summary.failures[0].error).toBe(
      "LLM call to offline/gen-small failed: HTTP 503: 503 fake status 503 " +
        "(gave up after 3 step attempts of 2 HTTP requests each: 6 HTTP requests in all)",
    );
  }, 60_000);

  it("counts the requests of a step that succeeds on its second attempt in its metadata", async () => {
    server.enqueue(UNAVAILABLE, UNAVAILABLE);
    const before = server.requests.length;
    await materializeOk(project.dir, ["--select", "draft_response", "--partition", drafts[1]], llmEnv);
    expect(server.requests.length - before).toBe(3);
    const shown = await runCli(
      project.dir,
      ["show", "draft_response", "--partition", drafts[1], "--json"],
      llmEnv,
    );
    expect(shown.stdout).toMatch(/"llm_requests": ?3\b/);
    expect(shown.stdout).toMatch(/"attempts": ?1\b/);
  }, 60_000);
});
