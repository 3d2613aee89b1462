/** /api/cohorts and /api/gens: cohort progress and results, generation files by validated gen_id. */
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { AssetInspector } from "@daydream/core";
import { cohortInfo, cohortMembers, listCohorts } from "../cohorts/catalog.ts";
import { GRID_TEMPLATE_AXES } from "../cohorts/comparison.ts";
import { cohortCost } from "../cohorts/cost.ts";
import { checkGenFile, checkGenId, checkStage, containedRealPath, GEN_FILES } from "../cohorts/ids.ts";
import { stageProgress } from "../cohorts/progress.ts";
import { cohortResults } from "../cohorts/results.ts";
import { genDir, scanGens } from "../cohorts/scan.ts";
import type { UiContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { enumParam, intParam } from "../http/query.ts";
import { type Router, STREAMED } from "../http/router.ts";

export function registerCohortRoutes(router: Router, ctx: UiContext): void {
  router.get("/api/cohorts", () => ({ dataRoot: ctx.dataRoot, cohorts: listCohorts(ctx.dataRoot) }));

  router.get("/api/cohorts/:cohortId", async ({ params, query }) => {
    const info = cohortInfo(ctx.dataRoot, params.cohortId);
    const rows = cohortMembers(info);
    const scan = scanGens(ctx.dataRoot, rows);
    const inspector = new AssetInspector(ctx.definitions, ctx.storage, ctx.inspections);
    try {
      return {
        cohort: info,
        progress: await stageProgress(rows, scan, inspector, ctx.definitions),
        cost: cohortCost(ctx.dataRoot, params.cohortId, rows),
        results: cohortResults(
          rows,
          scan,
          intParam(query, "top", { default: 50, min: 1, max: 10_000 }),
          enumParam(query, "grid", GRID_TEMPLATE_AXES) ?? "essay",
        ),
      };
    } finally {
      await inspector.dispose();
    }
  });

  router.get("/api/gens/:stage/:genId", ({ params }) => {
    const stage = checkStage(params.stage);
    const genId = checkGenId(params.genId);
    const dir = genDir(ctx.dataRoot, stage, genId);
    if (containedRealPath(path.join(ctx.dataRoot, "gens"), dir) === undefined) {
      throw notFound(`generation ${stage}/${genId}`, {
        context: { stage, gen_id: genId },
        hint: "materialize the generation first",
      });
    }
    const files = Object.fromEntries(
      GEN_FILES.map((file) => [
        file,
        statSync(path.join(dir, file), { throwIfNoEntry: false })?.size ?? null,
      ]),
    );
    return { stage, genId, files };
  });

  router.get("/api/gens/:stage/:genId/:file", async ({ params, res }) => {
    const stage = checkStage(params.stage);
    const genId = checkGenId(params.genId);
    const file = checkGenFile(params.file);
    const real = containedRealPath(
      path.join(ctx.dataRoot, "gens"),
      path.join(genDir(ctx.dataRoot, stage, genId), file),
    );
    const missing = () =>
      notFound(`${file} of generation ${stage}/${genId}`, {
        context: { stage, gen_id: genId, file },
        hint: "list the generation's files at /api/gens/<stage>/<gen_id>",
      });
    if (real === undefined) throw missing();
    // Streamed, not read whole: a large file requested many times at once must not fill memory.
    // The length comes from the open descriptor, so a generation rewritten meanwhile (a rename
    // over the file) cannot make it disagree with the bytes sent.
    const handle = await open(real, "r").catch((err: NodeJS.ErrnoException) => {
      throw err.code === "ENOENT" ? missing() : err;
    });
    let size: number;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw missing();
      size = stat.size;
    } catch (err) {
      await handle.close();
      throw err;
    }
    // The stream owns the descriptor from here: it closes it at the end, on error or on abort.
    const stream = handle.createReadStream();
    res.writeHead(200, {
      "content-type": file.endsWith(".json")
        ? "application/json; charset=utf-8"
        : "text/plain; charset=utf-8",
      "content-length": size,
      "x-content-type-options": "nosniff",
      // LLM output is untrusted: never let a browser run anything from it.
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "no-store",
    });
    // A read error or a client gone mid-file rejects here; the server then destroys the response.
    await pipeline(stream, res);
    return STREAMED;
  });
}
