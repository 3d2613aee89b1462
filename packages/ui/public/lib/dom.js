// Small DOM helpers: element builders and the formatting every page shares.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, children) {
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "value" && "value" in el) {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** h("a", { href: "#/" }, "text", child...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function runDuration(run) {
  if (!run.startedAt) return "";
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  return fmtDuration(end - Date.parse(run.startedAt));
}

export function fmtNumber(n) {
  return typeof n === "number" ? n.toLocaleString() : "";
}

export function badge(status) {
  return h("span", { class: `badge status-${status}` }, status === "never" ? "never materialized" : status);
}

export function assetLink(key) {
  return h("a", { href: `#/assets/${encodeURIComponent(key)}`, class: "asset-link" }, key);
}

export function runLink(runId) {
  return h("a", { href: `#/runs/${encodeURIComponent(runId)}`, class: "mono" }, runId.slice(0, 8));
}

export function genLink(stage, genId) {
  if (!genId) return "";
  return h("a", { href: `#/gens/${stage}/${encodeURIComponent(genId)}`, class: "mono" }, genId);
}

/**
 * A "grid" table: a header row of column names, then row(item) for each item.
 * Given `empty`, no items give that muted note instead of a header-only table.
 */
export function gridTable(columns, items, row, { id, empty } = {}) {
  if (empty !== undefined && items.length === 0) return h("p", { class: "muted" }, empty);
  return h(
    "table",
    { class: "grid", id },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        columns.map((c) => h("th", null, c)),
      ),
    ),
    h("tbody", null, items.map(row)),
  );
}

/** A "kv" table of [label, value, valueCellAttrs?] rows; attrs add to or replace the table's. */
export function kvTable(rows, attrs) {
  return h(
    "table",
    { class: "kv", ...attrs },
    h(
      "tbody",
      null,
      rows.map(([k, v, tdAttrs]) => h("tr", null, h("th", null, k), h("td", tdAttrs, v))),
    ),
  );
}

/** Key/value rows of a metadata object; nested values as JSON. */
export function metadataTable(metadata) {
  const entries = Object.entries(metadata ?? {});
  if (entries.length === 0) return h("p", { class: "muted" }, "no metadata");
  return kvTable(
    entries.map(([k, v]) => [k, typeof v === "object" ? h("code", null, JSON.stringify(v)) : String(v)]),
    { class: "kv metadata" },
  );
}

export function errorBox(err) {
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("strong", null, err.message ?? String(err)),
    err.hint ? h("div", { class: "hint" }, `hint: ${err.hint}`) : null,
  );
}

/** A horizontal bar split into coloured segments: [{ value, cls, label }]. */
export function segmentBar(segments, total) {
  const bar = h("div", { class: "segbar", role: "img" });
  const sum = total ?? segments.reduce((a, b) => a + b.value, 0);
  bar.setAttribute("aria-label", segments.map((seg) => `${seg.label} ${seg.value}`).join(", "));
  for (const seg of segments) {
    if (seg.value <= 0 || sum === 0) continue;
    bar.append(
      h("span", {
        class: seg.cls,
        style: `width:${(100 * seg.value) / sum}%`,
        title: `${seg.label}: ${seg.value}`,
      }),
    );
  }
  return bar;
}
