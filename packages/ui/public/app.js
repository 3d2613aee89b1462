// Hash router: each page module exports render(root, params, query) and may return a cleanup function.
import { api, captureToken } from "./lib/api.js";
import { clear, errorBox, h } from "./lib/dom.js";
import { renderAsset } from "./pages/asset.js";
import { renderCohort } from "./pages/cohort.js";
import { renderCohorts } from "./pages/cohorts.js";
import { renderGen } from "./pages/gen.js";
import { renderGraph } from "./pages/graph.js";
import { renderLaunch } from "./pages/launch.js";
import { renderRun } from "./pages/run.js";
import { renderRuns } from "./pages/runs.js";

const ROUTES = [
  { pattern: /^\/?$/, nav: "graph", render: renderGraph },
  { pattern: /^\/assets\/([^/]+)$/, nav: "graph", render: renderAsset },
  { pattern: /^\/runs$/, nav: "runs", render: renderRuns },
  { pattern: /^\/runs\/([^/]+)$/, nav: "runs", render: renderRun },
  { pattern: /^\/launch$/, nav: "launch", render: renderLaunch },
  { pattern: /^\/cohorts$/, nav: "cohorts", render: renderCohorts },
  { pattern: /^\/cohorts\/([^/]+)$/, nav: "cohorts", render: renderCohort },
  { pattern: /^\/gens\/([^/]+)\/([^/]+)$/, nav: "cohorts", render: renderGen },
];

const root = document.getElementById("app");
let cleanup = null;

async function route() {
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = hash.split("?");
  const query = new URLSearchParams(search);
  const found = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", found?.r.nav === link.dataset.nav);
  }
  clear(root);
  if (!found) {
    root.append(h("h1", null, "Not found"), h("p", null, h("a", { href: "#/" }, "Back to the asset graph")));
    return;
  }
  const params = found.m.slice(1).map(decodeURIComponent);
  try {
    cleanup = await found.r.render(root, params, query);
  } catch (err) {
    root.append(errorBox(err));
  }
}

captureToken();
window.addEventListener("hashchange", route);
route();
api("/api/meta").then(
  (meta) => {
    document.getElementById("project").textContent = meta.definitionsFile ?? meta.projectRoot;
  },
  (err) => {
    document.getElementById("project").textContent = `server unreachable: ${err.message}`;
  },
);
