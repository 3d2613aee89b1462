import { describeStorageConformance } from "../../testing/storage-conformance/index.ts";
import { sqliteHarness } from "../../testing/storage-conformance/sqlite-harness.ts";

describeStorageConformance(sqliteHarness());
