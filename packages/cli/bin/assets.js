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

/**
 * The bundle carries its own copy of the engine, so it runs only definitions it
 * contains; any other module (-f, or another assets.yaml) runs from source so
 * that the module and the CLI share one engine.
 */
async function bundledEntry() {
  const build = freshBuild();
  if (build === undefined) return undefined;
  const entry = pathToFileURL(path.join(distDir, "main.mjs")).href;
  const bundled = await import(entry);
  const defaultDefinitions = path.join(root, build.definitions);
  let wanted;
  try {
    wanted = bundled.definitionsPathFor(process.argv, process.cwd());
  } catch {
    // An unreadable assets.yaml: the bundled CLI reports it like any other command would.
    wanted = undefined;
  }
  if (wanted !== undefined && wanted !== defaultDefinitions) return undefined;
  globalThis[Symbol.for("daydream.assets.prebuilt")] = {
    [defaultDefinitions]: path.join(distDir, "definitions.mjs"),
  };
  return entry;
}

let entry = await bundledEntry();
if (entry === undefined) {
  const { register } = await import("tsx/esm/api");
  register();
  globalThis[Symbol.for("daydream.assets.tsLoader")] = true;
  entry = "../src/main.ts";
}
const { main } = await import(entry);
const code = await main(process.argv);
// Exit explicitly: an instance or logger left open must not keep the process alive.
process.exit(code);
