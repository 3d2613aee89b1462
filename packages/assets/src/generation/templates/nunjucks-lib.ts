import { createRequire } from "node:module";
import type Nunjucks from "nunjucks";

const requireModule = createRequire(import.meta.url);
let lib: typeof Nunjucks | undefined;

/**
 * nunjucks, loaded on first use: most commands (building a cohort, listing, the UI) render no
 * template, and loading its modules is a noticeable part of a command's start-up.
 */
export function nunjucksLib(): typeof Nunjucks {
  lib ??= requireModule("nunjucks") as typeof Nunjucks;
  return lib;
}
