import { describeStorageConformance } from "@daydream/core/testing";
import { inject } from "vitest";
import { postgresHarness } from "./helpers/postgres-harness.ts";

describeStorageConformance(postgresHarness(inject("postgresUrl")));
