import type { Storage } from "@daydream/core";
import { PostgresStorage } from "@daydream/postgres";

/** The PostgreSQL storage at `url` (the conformance suite's child processes import this). */
export function openStorage(url: string): Storage {
  return new PostgresStorage(url);
}
