// Asset page: definition, lineage, latest materialization with metadata,
// recent runs, and for partitioned assets a server-paged, filterable table.
import { api, query } from "../lib/api.js";
import {
  assetLink,
  badge,
  clear,
  errorBox,
  fmtDuration,
  fmtNumber,
  fmtTime,
  gridTable,
  h,
  kvTable,
  metadataTable,
  runLink,
  segmentBar,
} from "../lib/dom.js";
import { pager } from "../lib/pager.js";

const PAGE_SIZE = 50;

export async function renderAsset(root, [key], q) {
  const data = await api(`/api/assets/${encodeURIComponent(key)}`);
  const a = data.asset;
  root.append(
    h(
      "div",
      { class: "page-head" },
      h("h1", null, a.key, " ", badge(a.status)),
      h("a", { class: "button", href: `#/launch${query({ select: a.key })}` }, "Materialize…"),
    ),
    a.description ? h("p", { class: "description" }, a.description) : null,
    h("section", { class: "cards" }, definitionCard(a, data), lineageCard(a, data)),
    latestSection(a, data.latest),
    staleSection(data.stale),
    checksSection(data.checks),
  );
  if (a.partitions) root.append(partitionsSection(a, q));
  root.append(historySection(data.history));
}

function definitionCard(a, data) {
  const rows = [
    ["group", h("a", { href: `#/${query({ select: `group:${a.group}` })}` }, a.group)],
    ["partitions", a.partitions ?? "none"],
    ["IO manager", a.io],
    ["kinds", a.kinds.join(", ")],
    [
      "tags",
      Object.entries(a.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(", "),
    ],
    ["code version", a.codeVersion ?? ""],
    ["resources", data.resources.join(", ")],
    ["retry", data.retry ? `${data.retry.maxAttempts} attempts` : ""],
  ];
  return h("div", { class: "card", id: "definition" }, h("h2", null, "Definition"), kvTable(rows));
}

function lineageCard(a, data) {
  const list = (keys) =>
    keys.length === 0 ? h("span", { class: "muted" }, "none") : keys.map((k) => [assetLink(k), " "]);
  return h(
    "div",
    { class: "card", id: "lineage" },
    h("h2", null, "Lineage"),
    kvTable([
      ["inputs", list(a.inputs)],
      ["deps (ordering)", list(a.deps)],
      ["downstream", list(data.downstream)],
    ]),
  );
}

function latestSection(a, latest) {
  const section = h("section", { id: "latest" }, h("h2", null, "Latest materialization"));
  if (a.partitionCounts) {
    const c = a.partitionCounts;
    section.append(
      h(
        "p",
        null,
        `${fmtNumber(c.materialized)} materialized, ${fmtNumber(c.failed)} failed, ${fmtNumber(c.missing)} missing of ${fmtNumber(c.total)} partitions`,
      ),
      segmentBar(
        [
          { value: c.materialized, cls: "seg-materialized", label: "materialized" },
          { value: c.failed, cls: "seg-failed", label: "failed" },
          { value: c.missing, cls: "seg-missing", label: "missing" },
        ],
        c.total,
      ),
    );
  }
  if (!latest) {
    section.append(h("p", { class: "muted" }, "Never materialized."));
    return section;
  }
  section.append(
    h(
      "p",
      null,
      latest.partitionKey
        ? ["most recent: partition ", h("span", { class: "mono" }, latest.partitionKey), " "]
        : null,
      badge(latest.status),
      " in run ",
      runLink(latest.runId),
      ` at ${fmtTime(latest.timestamp)}`,
      latest.durationMs !== null ? ` (${fmtDuration(latest.durationMs)})` : "",
    ),
  );
  // Element.append would print a null as the text "null": add the error only when there is one.
  if (latest.error) section.append(h("pre", { class: "error-text" }, latest.error));
  section.append(metadataTable(latest.metadata));
  return section;
}

// Stale: materialized before the asset's code version or one of its inputs changed.
/** Declared checks with their latest outcomes over all partitions, then failing partitions. */
function checksSection(checks) {
  // An empty string: root.append (native) would print a null.
  if (!checks || checks.declared.length === 0) return "";
  const byName = new Map(checks.summary.map((s) => [s.checkName, s]));
  const section = h("section", { id: "checks" }, h("h2", null, "Checks"));
  section.append(
    gridTable(["check", "severity", "passed", "warned", "failed"], checks.declared, (c) => {
      const s = byName.get(c.name);
      return h(
        "tr",
        { "data-check": c.name },
        h("td", { title: c.description ?? "" }, c.name),
        h("td", null, `${c.severity}${c.blocking ? ", blocking" : ""}`),
        h("td", null, s ? fmtNumber(s.passed) : "-"),
        h("td", null, s ? fmtNumber(s.warned) : "-"),
        h("td", null, s ? fmtNumber(s.failed) : "-"),
      );
    }),
  );
  if (checks.results.length > 0) {
    section.append(
      gridTable(["partition", "check", "severity", "what was found"], checks.results, (r) =>
        h(
          "tr",
          null,
          h("td", { class: "mono" }, r.partitionKey || "(unpartitioned)"),
          h("td", null, r.checkName),
          h("td", null, r.severity),
          h("td", null, r.description ?? ""),
        ),
      ),
    );
  }
  return section;
}

function staleSection(stale) {
  const section = h("section", { id: "stale" }, h("h2", null, "Staleness"));
  if (stale.stale === 0) {
    section.append(h("p", { class: "muted" }, "Every materialized partition is current."));
    return section;
  }
  section.append(
    h(
      "p",
      null,
      badge("stale"),
      ` ${fmtNumber(stale.stale)} materialized partitions are stale (--stale redoes them)`,
    ),
    gridTable(["cause", "partitions"], stale.byCause, (c) =>
      h("tr", null, h("td", null, c.cause), h("td", null, fmtNumber(c.count))),
    ),
    gridTable(["sample partition", "why"], stale.sample, (s) =>
      h(
        "tr",
        null,
        h("td", { class: "mono" }, s.partitionKey || "(unpartitioned)"),
        h("td", null, s.causes.join("; ")),
      ),
    ),
  );
  return section;
}

function partitionsSection(a, q) {
  const state = { offset: 0, status: q.get("status") ?? "", q: q.get("q") ?? "" };
  const statusSelect = h(
    "select",
    { id: "partition-status", "aria-label": "status filter" },
    ["", "materialized", "failed", "missing"].map((v) => h("option", { value: v }, v || "any status")),
  );
  statusSelect.value = state.status;
  const search = h("input", {
    id: "partition-search",
    type: "search",
    placeholder: "key contains…",
    value: state.q,
  });
  const body = h("div", { id: "partitions-table" });
  const load = async () => {
    clear(body).append(h("p", { class: "muted" }, "loading…"));
    try {
      const page = await api(
        `/api/assets/${encodeURIComponent(a.key)}/partitions${query({ offset: state.offset, limit: PAGE_SIZE, status: state.status, q: state.q })}`,
      );
      clear(body).append(
        partitionsTable(page),
        pager(page, (offset) => {
          state.offset = offset;
          load();
        }),
      );
    } catch (err) {
      clear(body).append(errorBox(err));
    }
  };
  statusSelect.addEventListener("change", () => {
    state.status = statusSelect.value;
    state.offset = 0;
    load();
  });
  const form = h(
    "form",
    {
      class: "toolbar",
      onsubmit: (e) => {
        e.preventDefault();
        state.q = search.value.trim();
        state.offset = 0;
        load();
      },
    },
    statusSelect,
    search,
    h("button", { type: "submit" }, "Filter"),
  );
  load();
  return h("section", { id: "partitions" }, h("h2", null, `Partitions (${a.partitions})`), form, body);
}

function partitionsTable(page) {
  return gridTable(
    ["partition", "status", "last run", "when", "duration", "error"],
    page.items,
    (p) =>
      h(
        "tr",
        { "data-partition": p.partitionKey, class: `row-${p.status}` },
        h("td", { class: "mono" }, p.partitionKey),
        h("td", { title: p.staleCauses.join("; ") }, badge(p.status), p.stale ? [" ", badge("stale")] : null),
        h("td", null, p.runId ? runLink(p.runId) : ""),
        h("td", null, fmtTime(p.timestamp)),
        h("td", null, fmtDuration(p.durationMs)),
        h("td", { class: "error-cell" }, p.error ?? ""),
      ),
    { empty: "No partitions match." },
  );
}

function historySection(history) {
  return h(
    "section",
    { id: "history" },
    h("h2", null, "Recent runs"),
    gridTable(
      ["run", "status", "created", "partitions", "this asset", "metadata / error"],
      history,
      (r) =>
        h(
          "tr",
          null,
          h("td", null, runLink(r.runId)),
          h("td", null, badge(r.runStatus)),
          h("td", null, fmtTime(r.createdAt)),
          h("td", null, r.partitionsSummary || "—"),
          h("td", null, r.outcome ? outcomeText(r.outcome) : `${fmtNumber(r.stepCount)} steps (large run)`),
          h(
            "td",
            null,
            r.outcome?.lastError
              ? h("span", { class: "error-cell" }, r.outcome.lastError)
              : r.outcome?.lastMetadata
                ? h("code", { class: "small" }, JSON.stringify(r.outcome.lastMetadata).slice(0, 200))
                : "",
          ),
        ),
      { empty: "No run has included this asset yet." },
    ),
  );
}

function outcomeText(o) {
  const parts = [];
  if (o.materialized) parts.push(`${o.materialized} materialized`);
  if (o.failed) parts.push(`${o.failed} failed`);
  if (o.skipped) parts.push(`${o.skipped} skipped`);
  if (o.canceled) parts.push(`${o.canceled} canceled`);
  return parts.join(", ") || "not run";
}
