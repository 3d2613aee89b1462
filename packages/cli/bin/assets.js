#!/usr/bin/env node
// Entry point of the `assets` command. Runs the prebuilt bundle (dist/, made by
// `npm install`) while it matches the sources, else the TypeScript sources through tsx.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "../../..");
const distDir = path.resolve(import.meta.dirname, "../dist");

/** The build info when dist/ exists and every source it was built from is unchanged. */
function freshBuild() {
  if (process.env.ASSETS_NO_BUNDLE === "1") return undefined;
  let info;
  try {
    info = JSON.parse(readFileSync(path.join(distDir, "build-info.json"), "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return undefined; // never built: run from source
    throw err;
  }
  for (const [file, mtimeMs] of Object.entries(info.inputs)) {
    const stat = statSync(path.join(root, file), { throwIfNoEntry: false });
    if (stat === undefined || stat.mtimeMs !== mtimeMs) return undefined;
  }
  return info;
}

const build = freshBuild();
let entry;
if (build !== undefined) {
  // Tell the CLI which definitions module the bundle already contains.
  globalThis[Symbol.for("daydream.assets.prebuilt")] = {
    [path.join(root, build.definitions)]: path.join(distDir, "definitions.mjs"),
  };
  entry = pathToFileURL(path.join(distDir, "main.mjs")).href;
} else {
  const { register } = await import("tsx/esm/api");
  register();
  globalThis[Symbol.for("daydream.assets.tsLoader")] = true;
  entry = "../src/main.ts";
}
const { main } = await import(entry);
const code = await main(process.argv);
// Exit explicitly: an instance or logger left open must not keep the process alive.
process.exit(code);
