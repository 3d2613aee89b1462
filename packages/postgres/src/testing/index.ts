/** Test support for packages that run their tests on PostgreSQL too (`@daydream/postgres/testing`). */
export { testSchemaUrl } from "./test-database.ts";
