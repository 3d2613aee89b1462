// Cohort page: membership and progress per stage, essays ranked by mean score,
// and score charts by evaluation template and by generation model.
import { api, query } from "../lib/api.js";
import { assetLink, fmtNumber, fmtTime, genLink, gridTable, h, kvTable, segmentBar } from "../lib/dom.js";
import { scoreChart } from "../lib/score-chart.js";

export async function renderCohort(root, [cohortId], q) {
  const top = q.get("top") ?? 50;
  const data = await api(`/api/cohorts/${encodeURIComponent(cohortId)}${query({ top })}`);
  const { cohort, progress, results } = data;
  root.append(
    h("h1", null, "Cohort ", h("span", { class: "mono" }, cohort.id)),
    metaTable(cohort),
    h("section", { id: "progress" }, h("h2", null, "Progress by stage"), progressTable(progress)),
    h(
      "section",
      { id: "charts" },
      h("h2", null, "Scores"),
      results.parsedEvaluations === 0
        ? h("p", { class: "muted" }, "No parsed evaluation yet.")
        : [
            h("h3", null, "By evaluation template"),
            scoreChart(results.byEvaluationTemplate, {
              title: "scores by evaluation template",
              id: "chart-templates",
            }),
            h("h3", null, "By generation model"),
            scoreChart(results.byGenerationModel, {
              title: "scores by generation model",
              id: "chart-models",
            }),
          ],
      results.invalidScores.length > 0
        ? h(
            "p",
            { class: "warning" },
            `${results.invalidScores.length} evaluation(s) have a parsed.txt that is not a number: `,
            results.invalidScores.map((x) => [genLink("evaluation", x.genId), " "]),
          )
        : null,
    ),
    h(
      "section",
      { id: "ranking" },
      h("h2", null, `Essays ranked by mean score (${fmtNumber(results.scoredEssays)} scored)`),
      rankingTable(results.ranked),
    ),
  );
}

function metaTable(cohort) {
  const meta = cohort.meta ?? {};
  const rows = Object.entries(meta).map(([k, v]) => [
    k,
    typeof v === "object" ? JSON.stringify(v) : String(v),
  ]);
  rows.push([
    "membership",
    cohort.hasMembership
      ? `${cohort.membershipPath} (updated ${fmtTime(cohort.membershipUpdatedAt)})`
      : "not built yet",
  ]);
  return kvTable(rows, { id: "cohort-meta" });
}

function progressTable(progress) {
  return gridTable(["stage", "asset", "members", "done", "failed", "pending", ""], progress, (p) =>
    h(
      "tr",
      { "data-stage": p.stage },
      h("td", null, p.stage),
      h("td", null, p.asset ? assetLink(p.asset) : h("span", { class: "muted" }, "not defined")),
      h("td", null, fmtNumber(p.members)),
      h("td", { class: "done" }, fmtNumber(p.done)),
      h(
        "td",
        { class: "failed" },
        p.failed > 0 && p.asset
          ? h("a", { href: `#/assets/${encodeURIComponent(p.asset)}?status=failed` }, fmtNumber(p.failed))
          : fmtNumber(p.failed),
      ),
      h("td", { class: "pending" }, fmtNumber(p.pending)),
      h(
        "td",
        { class: "bar-cell" },
        segmentBar(
          [
            { value: p.done, cls: "seg-materialized", label: "done" },
            { value: p.failed, cls: "seg-failed", label: "failed" },
            { value: p.pending, cls: "seg-missing", label: "pending" },
          ],
          p.members,
        ),
      ),
    ),
  );
}

function rankingTable(ranked) {
  return gridTable(
    [
      "#",
      "essay",
      "mean",
      "evaluations",
      "generation model",
      "essay template",
      "draft template",
      "combo",
      "draft",
    ],
    ranked,
    (e) =>
      h(
        "tr",
        { "data-essay": e.essayGenId },
        h("td", null, String(e.rank)),
        h("td", null, genLink("essay", e.essayGenId)),
        h("td", { class: "score" }, e.meanScore.toFixed(2)),
        h(
          "td",
          { class: "small" },
          e.evaluations.map((ev) => [
            h(
              "a",
              {
                href: `#/gens/evaluation/${encodeURIComponent(ev.evaluationGenId)}`,
                title: `${ev.evaluationTemplate} by ${ev.evaluationModel}`,
              },
              ev.score.toFixed(1),
            ),
            " ",
          ]),
        ),
        h("td", null, e.generationModel),
        h("td", null, e.essayTemplate),
        h("td", null, e.draftTemplate),
        h("td", { class: "mono small" }, e.comboId),
        h("td", null, genLink("draft", e.draftGenId)),
      ),
    { id: "ranking-table", empty: "No essay has a parsed score yet." },
  );
}
