// Cohorts page: every cohort under data/cohorts with its members per stage.
import { api } from "../lib/api.js";
import { fmtNumber, fmtTime, gridTable, h } from "../lib/dom.js";

export async function renderCohorts(root) {
  const { cohorts, dataRoot } = await api("/api/cohorts");
  root.append(h("h1", null, "Cohorts"), h("p", { class: "muted" }, `data root: ${dataRoot}`));
  if (cohorts.length === 0) {
    root.append(
      h(
        "p",
        null,
        "No cohort yet: materialize ",
        h("code", null, "cohort_id,cohort_membership"),
        " to build one.",
      ),
    );
    return;
  }
  root.append(
    gridTable(
      ["cohort", "mode", "created", "drafts", "essays", "evaluations", "membership updated"],
      cohorts,
      (c) =>
        h(
          "tr",
          { "data-cohort": c.id },
          h("td", null, h("a", { href: `#/cohorts/${encodeURIComponent(c.id)}`, class: "mono" }, c.id)),
          h("td", null, String(c.meta?.mode ?? "")),
          h("td", null, fmtTime(c.meta?.created_at)),
          h("td", null, fmtNumber(c.members?.draft)),
          h("td", null, fmtNumber(c.members?.essay)),
          h("td", null, fmtNumber(c.members?.evaluation)),
          c.error ? h("td", { class: "error-cell" }, c.error) : null,
          h("td", null, fmtTime(c.membershipUpdatedAt)),
        ),
      { id: "cohorts-table" },
    ),
  );
}
