// Runs page: the latest runs, filterable by status, refreshed while any is running.
import { api, query } from "../lib/api.js";
import {
  badge,
  clear,
  errorBox,
  fmtNumber,
  fmtTime,
  gridTable,
  h,
  runDuration,
  runLink,
} from "../lib/dom.js";

const STATUSES = ["", "queued", "started", "succeeded", "failed", "canceled", "interrupted"];
const REFRESH_MS = 2000;

export async function renderRuns(root, _params, q) {
  const status = q.get("status") ?? "";
  const select = h(
    "select",
    {
      "aria-label": "status filter",
      onchange: (e) => {
        location.hash = `#/runs${query({ status: e.target.value })}`;
      },
    },
    STATUSES.map((v) => h("option", { value: v }, v || "any status")),
  );
  select.value = status;
  const body = h("div", { id: "runs-table" });
  root.append(
    h(
      "div",
      { class: "page-head" },
      h("h1", null, "Runs"),
      h("a", { class: "button", href: "#/launch" }, "Launch a run…"),
    ),
    h("div", { class: "toolbar" }, select),
    body,
  );
  const load = async () => {
    const { runs } = await api(`/api/runs${query({ status, limit: 100 })}`);
    clear(body).append(runsTable(runs));
    return runs.some((r) => r.status === "started" || r.status === "queued");
  };
  await load();
  const timer = setInterval(() => load().catch((err) => clear(body).append(errorBox(err))), REFRESH_MS);
  return () => clearInterval(timer);
}

function runsTable(runs) {
  return gridTable(
    ["run", "status", "selection", "partitions", "steps", "result", "created", "duration"],
    runs,
    (r) =>
      h(
        "tr",
        { "data-run": r.runId },
        h("td", null, runLink(r.runId)),
        h("td", null, badge(r.status), r.live ? h("span", { class: "muted small" }, " (this UI)") : ""),
        h("td", { class: "mono" }, r.selection),
        h("td", null, r.partitionsSummary || "—"),
        h("td", null, fmtNumber(r.stepCount)),
        h("td", null, resultText(r.tags)),
        h("td", null, fmtTime(r.createdAt)),
        h("td", null, runDuration(r)),
      ),
    { empty: "No runs yet." },
  );
}

function resultText(tags) {
  const parts = [];
  for (const k of ["succeeded", "failed", "skipped", "canceled"])
    if (tags?.[k] && tags[k] !== "0") parts.push(`${tags[k]} ${k}`);
  return parts.join(", ");
}
