// Strip chart of scores (0-10) per group: one row per group with every score as a dot,
// the min-max range as a line and the mean as a bar. Plain SVG, no library.
import { s } from "./dom.js";

const LABEL_W = 190;
const PLOT_W = 480;
const STATS_W = 130;
const ROW_H = 34;
const TOP = 28;
const PALETTE = ["#3b82f6", "#e07b39", "#2e9d5b", "#a855f7", "#d64545", "#0e9aa7", "#b58b00", "#6b7280"];

export function scoreChart(groups, { title, id }) {
  const height = TOP + groups.length * ROW_H + 10;
  const width = LABEL_W + PLOT_W + STATS_W;
  const x = (score) => LABEL_W + (Math.max(0, Math.min(10, score)) / 10) * PLOT_W;
  const svg = s("svg", {
    class: "score-chart",
    id,
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": title,
  });
  svg.append(s("title", null, title));
  for (let t = 0; t <= 10; t += 2) {
    svg.append(
      s("line", { class: "grid-line", x1: x(t), x2: x(t), y1: TOP - 6, y2: height - 8 }),
      s("text", { class: "tick", x: x(t), y: TOP - 10, "text-anchor": "middle" }, String(t)),
    );
  }
  groups.forEach((g, i) => {
    const y = TOP + i * ROW_H + ROW_H / 2;
    const color = PALETTE[i % PALETTE.length];
    const row = s("g", { class: "chart-row", "data-group": g.key });
    row.append(
      s(
        "text",
        { class: "row-label", x: LABEL_W - 10, y: y + 4, "text-anchor": "end" },
        truncate(g.key || "(none)", 28),
      ),
      s("line", { class: "range", x1: x(g.min), x2: x(g.max), y1: y, y2: y, stroke: color }),
    );
    g.scores.forEach((score, j) => {
      // Deterministic jitter so dots with equal scores stay visible.
      const jitter = (((j * 7919) % 13) / 12 - 0.5) * (ROW_H - 14);
      row.append(s("circle", { class: "dot", cx: x(score), cy: y + jitter, r: 3, fill: color }));
    });
    row.append(
      s("rect", { class: "mean", x: x(g.mean) - 2, y: y - ROW_H / 2 + 3, width: 4, height: ROW_H - 6 }),
      s(
        "text",
        { class: "row-stats", x: LABEL_W + PLOT_W + 10, y: y + 4 },
        `mean ${g.mean.toFixed(2)} · n ${g.n}`,
      ),
      s("title", null, `${g.key}: mean ${g.mean.toFixed(2)}, min ${g.min}, max ${g.max}, n ${g.n}`),
    );
    svg.append(row);
  });
  return svg;
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
