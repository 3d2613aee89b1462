// Asset graph page: every asset as a DAG grouped by group, status colours,
// partition bars, and a selection box using the CLI's selection syntax.
import { api, query } from "../lib/api.js";
import { clear, errorBox, h, s } from "../lib/dom.js";
import { layoutGraph } from "../lib/graph-layout.js";

const REFRESH_MS = 5000;

export async function renderGraph(root, _params, q) {
  const selection = q.get("select") ?? "";
  const input = h("input", {
    id: "selection",
    type: "search",
    placeholder: 'selection, e.g. group:cohort, +draft_response, key:"essay*"',
    value: selection,
    spellcheck: "false",
  });
  const form = h(
    "form",
    {
      class: "toolbar",
      onsubmit: (e) => {
        e.preventDefault();
        location.hash = `#/${query({ select: input.value.trim() })}`;
      },
    },
    input,
    h("button", { type: "submit" }, "Select"),
    selection ? h("a", { href: "#/", class: "button secondary" }, "Clear") : null,
    selection
      ? h("a", { href: `#/launch${query({ select: selection })}`, class: "button" }, "Materialize selection…")
      : null,
  );
  let lastJson = "";
  let layout = null;
  let layoutKey = "";
  const fit = h("input", {
    type: "checkbox",
    id: "graph-fit",
    checked: localStorage.getItem("graph-fit") !== "no",
  });
  const direction = h(
    "select",
    { id: "graph-direction", "aria-label": "layout direction" },
    h("option", { value: "DOWN" }, "top to bottom"),
    h("option", { value: "RIGHT" }, "left to right"),
  );
  direction.value = localStorage.getItem("graph-direction") ?? "DOWN";
  const status = h("div", { class: "graph-status muted" });
  const messages = h("div");
  const canvas = h("div", { class: "graph-scroll", id: "graph" });
  fit.addEventListener("change", () => {
    localStorage.setItem("graph-fit", fit.checked ? "yes" : "no");
    canvas.classList.toggle("fit", fit.checked);
  });
  canvas.classList.toggle("fit", fit.checked);
  direction.addEventListener("change", () => {
    localStorage.setItem("graph-direction", direction.value);
    layoutKey = "";
    lastJson = "";
    refresh();
  });
  root.append(
    h("h1", null, "Asset graph"),
    form,
    messages,
    h(
      "div",
      { class: "toolbar" },
      status,
      h("label", { class: "fit-toggle" }, fit, "fit to window"),
      direction,
    ),
    legend(),
    canvas,
  );

  const refresh = async () => {
    let data;
    try {
      data = await api(`/api/assets${query({ select: selection })}`);
    } catch (err) {
      clear(messages).append(errorBox(err));
      if (layout === null) data = await api("/api/assets");
      else return;
    }
    const json = JSON.stringify(data);
    if (json === lastJson) return;
    lastJson = json;
    const shape = JSON.stringify(data.assets.map((a) => [a.key, a.group, a.inputs, a.deps, !!a.partitions]));
    if (shape !== layoutKey) {
      layout = await layoutGraph(data.assets, direction.value);
      layoutKey = shape;
    }
    const selected = data.selected ? new Set(data.selected) : null;
    status.textContent = selected
      ? `${selected.size} of ${data.assets.length} assets selected by "${data.selection}"`
      : `${data.assets.length} assets in ${data.groups.length} groups`;
    clear(canvas).append(drawGraph(data.assets, layout, selected));
  };
  await refresh();
  const timer = setInterval(
    () => refresh().catch((err) => clear(messages).append(errorBox(err))),
    REFRESH_MS,
  );
  return () => clearInterval(timer);
}

function legend() {
  const item = (cls, label) =>
    h("span", { class: "legend-item" }, h("span", { class: `swatch ${cls}` }), label);
  return h(
    "div",
    { class: "legend" },
    item("status-never", "never materialized"),
    item("status-materialized", "materialized"),
    item("status-failed", "failed"),
    item("status-running", "running"),
    h("span", { class: "legend-item" }, h("span", { class: "swatch dashed" }), "ordering-only dep"),
  );
}

function drawGraph(assets, layout, selected) {
  const pad = 10;
  const svg = s("svg", {
    class: "asset-graph",
    width: layout.width + 2 * pad,
    height: layout.height + 2 * pad,
    viewBox: `${-pad} ${-pad} ${layout.width + 2 * pad} ${layout.height + 2 * pad}`,
    role: "img",
    "aria-label": "asset graph",
  });
  svg.append(
    s(
      "defs",
      null,
      s(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto-start-reverse",
        },
        s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }),
      ),
    ),
  );
  for (const g of layout.groups) {
    svg.append(
      s(
        "g",
        { class: "group-box", "data-group": g.name },
        s("rect", { x: g.x, y: g.y, width: g.width, height: g.height, rx: 8 }),
        s("text", { x: g.x + 12, y: g.y + 19 }, g.name),
      ),
    );
  }
  for (const e of layout.edges) {
    const dim = selected && !(selected.has(e.source) && selected.has(e.target));
    svg.append(
      s("path", {
        d: e.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" "),
        class: `edge edge-${e.kind}${dim ? " dim" : ""}`,
        "marker-end": "url(#arrow)",
      }),
    );
  }
  for (const a of assets) {
    const pos = layout.nodes.get(a.key);
    if (pos) svg.append(drawNode(a, pos, selected));
  }
  return svg;
}

function drawNode(a, pos, selected) {
  const cls = ["asset-node", `status-${a.status}`];
  if (selected) cls.push(selected.has(a.key) ? "selected" : "dim");
  const node = s("g", {
    class: cls.join(" "),
    transform: `translate(${pos.x},${pos.y})`,
    "data-asset": a.key,
    tabindex: 0,
    role: "link",
    "aria-label": `${a.key}: ${a.status}`,
  });
  const open = () => {
    location.hash = `#/assets/${encodeURIComponent(a.key)}`;
  };
  node.addEventListener("click", open);
  node.addEventListener("keydown", (e) => {
    if (e.key === "Enter") open();
  });
  node.append(
    s("title", null, a.description ? `${a.key}\n${a.description}` : a.key),
    s("rect", { class: "node-bg", width: pos.width, height: pos.height, rx: 6 }),
    s("rect", { class: "node-stripe", width: 6, height: pos.height, rx: 3 }),
    s("text", { class: "node-title", x: 14, y: 18 }, truncate(a.key, 26)),
    s("text", { class: "node-sub", x: 14, y: 35 }, subtitle(a)),
  );
  if (a.partitionCounts) node.append(partitionBar(a.partitionCounts, pos.width));
  return node;
}

function subtitle(a) {
  const c = a.partitionCounts;
  if (!c) return a.status === "never" ? "never materialized" : a.status;
  const parts = [`${c.materialized.toLocaleString()} / ${c.total.toLocaleString()} ${a.partitions}`];
  if (c.failed > 0) parts.push(`${c.failed.toLocaleString()} failed`);
  if (a.status === "running") parts.push("running");
  return parts.join(" · ");
}

function partitionBar(c, width) {
  const x0 = 14;
  const w = width - 28;
  const bar = s("g", { class: "partition-bar", transform: `translate(${x0},44)` });
  bar.append(s("rect", { class: "seg-missing", width: w, height: 8, rx: 2 }));
  if (c.total > 0) {
    const mw = (w * c.materialized) / c.total;
    const fw = (w * c.failed) / c.total;
    if (mw > 0) bar.append(s("rect", { class: "seg-materialized", width: mw, height: 8 }));
    if (fw > 0) bar.append(s("rect", { class: "seg-failed", x: mw, width: fw, height: 8 }));
  }
  bar.append(
    s(
      "title",
      null,
      `${c.materialized} materialized, ${c.failed} failed, ${c.missing} missing of ${c.total}`,
    ),
  );
  return bar;
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
