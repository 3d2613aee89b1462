import { StorageError } from "../../errors.ts";
import type { Page } from "../types.ts";

/** SQLite LIMIT/OFFSET values for a page; a limit of -1 means no limit. */
export function pageBounds(page: Page = {}): { limit: number; offset: number } {
  const offset = page.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new StorageError("invalid_page", `page offset must be a non-negative integer, got ${offset}`, {
      hint: "pass offset >= 0",
    });
  }
  if (page.limit !== undefined && (!Number.isInteger(page.limit) || page.limit < 0)) {
    throw new StorageError("invalid_page", `page limit must be a non-negative integer, got ${page.limit}`, {
      hint: "pass limit >= 0, or leave it out for no limit",
    });
  }
  return { limit: page.limit ?? -1, offset };
}
