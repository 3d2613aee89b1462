/** The UI's cancel button on a run of the queue executor (PostgreSQL): its queued jobs go, it ends canceled. */
import { PostgresStorage } from "@daydream/postgres";
import { testSchemaUrl } from "@daydream/postgres/testing";
import { enqueueRun } from "@daydream/queue";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

let h: Harness;
let schema: ReturnType<typeof testSchemaUrl>;

beforeAll(async () => {
  schema = testSchemaUrl(inject("postgresUrl"), "ui_queued_cancel");
  h = await startHarness({ storage: new PostgresStorage(schema.url) });
});
afterAll(async () => {
  await h.close();
  await schema.drop();
});

it("cancels a queued run: 202, its steps canceled, its jobs removed, the run ends canceled", async () => {
  const queued = await enqueueRun(h.definitions, { instance: h.instance, selection: "settings" });
  const detail = (await h.request(`/api/runs/${queued.runId}`)).body;
  expect(detail.run.status).toBe("queued");

  const res = await h.post(`/api/runs/${queued.runId}/cancel`);
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ runId: queued.runId, canceledSteps: 1, removedJobs: 1, canceling: true });
  expect((await h.request(`/api/runs/${queued.runId}`)).body.run.status).toBe("canceled");

  const again = await h.post(`/api/runs/${queued.runId}/cancel`);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe("run_ended");
});
