// Cohort page: membership and progress per stage, essays ranked by mean score,
// score charts by evaluation template and by generation model, and a models x templates
// comparison grid with the spread over replicates.
import { api, query } from "../lib/api.js";
import { assetLink, fmtNumber, fmtTime, genLink, gridTable, h, kvTable, segmentBar } from "../lib/dom.js";
import { scoreChart } from "../lib/score-chart.js";

export async function renderCohort(root, [cohortId], q) {
  const top = q.get("top") ?? 50;
  const grid = q.get("grid") ?? "essay";
  const data = await api(`/api/cohorts/${encodeURIComponent(cohortId)}${query({ top, grid })}`);
  const { cohort, progress, cost, results } = data;
  root.append(
    h("h1", null, "Cohort ", h("span", { class: "mono" }, cohort.id)),
    metaTable(cohort),
    h("section", { id: "progress" }, h("h2", null, "Progress by stage"), progressTable(progress)),
    h("section", { id: "cost" }, h("h2", null, "LLM tokens and cost"), costTable(cost)),
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
      { id: "comparison" },
      h("h2", null, "Models x templates"),
      comparisonSection(cohortId, results.comparison),
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

// Responses this cohort's runs wrote, by stage and model; an unknown cost is counted apart.
function costTable(cost) {
  if (cost.total.calls === 0) return h("p", { class: "muted" }, "No LLM response yet.");
  const usd = (sums) =>
    sums.unpricedCalls === sums.calls
      ? "unknown"
      : `${sums.unpricedCalls > 0 ? ">= " : ""}$${sums.costUsd.toFixed(sums.costUsd >= 0.01 ? 2 : 6)}`;
  const rows = [...cost.rows, { stage: "total", model: "", ...cost.total }];
  return gridTable(
    ["stage", "model", "calls", "prompt tokens", "completion tokens", "cost", "unpriced calls"],
    rows,
    (r) =>
      h(
        "tr",
        { "data-stage": r.stage },
        h("td", null, r.stage),
        h("td", { class: "mono" }, r.model),
        h("td", null, fmtNumber(r.calls)),
        h("td", null, fmtNumber(r.promptTokens)),
        h("td", null, fmtNumber(r.completionTokens)),
        h("td", { class: "cost" }, usd(r)),
        h("td", null, fmtNumber(r.unpricedCalls)),
      ),
  );
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

const GRID_AXES = [
  ["essay", "generation models x essay templates"],
  ["draft", "generation models x draft templates"],
  ["evaluation", "evaluation models x evaluation templates"],
];

// Mean score per cell; with replicates, the lowest and highest mean of a single replicate run
// below it: cells whose ranges overlap may differ by noise alone.
function comparisonSection(cohortId, grid) {
  const switcher = h(
    "p",
    { class: "small" },
    GRID_AXES.map(([axis, label], k) => [
      k > 0 ? " · " : "",
      axis === grid.templateAxis
        ? h("strong", null, label)
        : h("a", { href: `#/cohorts/${encodeURIComponent(cohortId)}?grid=${axis}` }, label),
    ]),
  );
  if (grid.cells.length === 0) return [switcher, h("p", { class: "muted" }, "No parsed evaluation yet.")];
  const cellOf = new Map(grid.cells.map((c) => [`${c.model}\u0000${c.template}`, c]));
  const note =
    grid.maxRuns > 1
      ? `Mean score (n evaluations); below it, the range of the means of single replicate runs (${grid.maxRuns} runs at most).`
      : "Mean score (n evaluations). The cohort has one replicate run, so there is no spread to show (see replication_config.csv).";
  return [
    switcher,
    h("p", { class: "muted small" }, note),
    gridTable(
      [`${grid.modelAxis} model`, ...grid.templates],
      grid.models,
      (model) =>
        h(
          "tr",
          { "data-model": model },
          h("th", null, model),
          grid.templates.map((template) => {
            const c = cellOf.get(`${model}\u0000${template}`);
            if (!c) return h("td", { class: "muted" }, "–");
            return h(
              "td",
              { class: "score", "data-template": template },
              `${c.mean.toFixed(2)} (${fmtNumber(c.n)})`,
              c.runs > 1
                ? h(
                    "div",
                    { class: "small muted" },
                    `${c.runMin.toFixed(2)}–${c.runMax.toFixed(2)} over ${c.runs} runs`,
                  )
                : null,
            );
          }),
        ),
      { id: "comparison-grid" },
    ),
  ];
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
