// Run page: status, counts, failures, steps and the log, live over server-sent events.
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
  runDuration,
  segmentBar,
} from "../lib/dom.js";
import { pager } from "../lib/pager.js";

const STEP_PAGE = 100;
const MAX_LOG_LINES = 2000;
const LOG_TAIL_BYTES = 256 * 1024;

export async function renderRun(root, [runId]) {
  const base = `/api/runs/${encodeURIComponent(runId)}`;
  const head = h("div", { id: "run-head" });
  const failures = h("section", { id: "failures" });
  const stepsBody = h("div", { id: "steps-table" });
  const stepStatus = h(
    "select",
    { "aria-label": "step status filter" },
    ["", "running", "succeeded", "failed", "skipped", "canceled"].map((v) =>
      h("option", { value: v }, v || "any status"),
    ),
  );
  const log = h("pre", { id: "run-log", class: "log" });
  const messages = h("div");
  root.append(
    messages,
    head,
    failures,
    h(
      "section",
      { id: "steps" },
      h("h2", null, "Steps"),
      h("div", { class: "toolbar" }, stepStatus),
      stepsBody,
    ),
    h("section", null, h("h2", null, "Log"), log),
  );

  let stepsOffset = 0;
  const loadSteps = async () => {
    const page = await api(
      `${base}/steps${query({ offset: stepsOffset, limit: STEP_PAGE, status: stepStatus.value })}`,
    );
    clear(stepsBody).append(
      stepsTable(page.items),
      pager(page, (offset) => {
        stepsOffset = offset;
        loadSteps();
      }),
    );
  };
  stepStatus.addEventListener("change", () => {
    stepsOffset = 0;
    loadSteps();
  });

  const loadDetail = async () => {
    const detail = await api(base);
    clear(head).append(runHeader(detail, messages));
    clear(failures).append(...failuresList(detail));
    await loadSteps();
    return detail;
  };
  const first = await loadDetail();
  // A long log starts at its last lines; the stream then sends what is appended.
  const tail = await api(`${base}/log?tail=${LOG_TAIL_BYTES}`);
  appendLog(log, tail.lines);

  // Refresh the detail at most once a second while events arrive.
  let pending = null;
  const scheduleRefresh = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      loadDetail().catch((err) => clear(messages).append(errorBox(err)));
    }, 1000);
  };
  const stream = new EventSource(
    `${base}/stream${query({ after: first.lastEventId, logOffset: tail.nextOffset })}`,
  );
  stream.addEventListener("run", scheduleRefresh);
  stream.addEventListener("events", scheduleRefresh);
  stream.addEventListener("log", (e) => appendLog(log, JSON.parse(e.data).lines));
  stream.addEventListener("end", () => {
    stream.close();
    scheduleRefresh();
  });
  return () => {
    stream.close();
    if (pending) clearTimeout(pending);
  };
}

function runHeader(detail, messages) {
  const { run, counts } = detail;
  const cancel =
    detail.live || run.status === "started" || run.status === "queued"
      ? h(
          "button",
          {
            id: "cancel-run",
            class: "danger",
            onclick: async (e) => {
              e.target.disabled = true;
              try {
                await api(`/api/runs/${encodeURIComponent(run.runId)}/cancel`, { method: "POST" });
              } catch (err) {
                clear(messages).append(errorBox(err));
              }
            },
          },
          "Cancel run",
        )
      : null;
  return h(
    "div",
    null,
    h(
      "div",
      { class: "page-head" },
      h("h1", null, "Run ", h("span", { class: "mono" }, run.runId), " ", badge(run.status)),
      cancel,
    ),
    detail.crash ? errorBox({ message: `the run stopped with an error: ${detail.crash}` }) : null,
    kvTable([
      ["selection", run.selection, { class: "mono" }],
      ["partitions", run.partitionsSummary || "—"],
      ["created", fmtTime(run.createdAt)],
      ["duration", runDuration(run)],
      ["process", `pid ${run.pid} on ${run.host}`],
      ["log file", detail.logPath, { class: "mono small" }],
    ]),
    h(
      "p",
      { id: "run-counts" },
      `${fmtNumber(run.stepCount)} steps: ${fmtNumber(counts.succeeded)} succeeded, ${fmtNumber(counts.failed)} failed, ` +
        `${fmtNumber(counts.skipped)} skipped, ${fmtNumber(counts.canceled)} canceled, ${fmtNumber(counts.running)} running, ` +
        `${fmtNumber(counts.pending)} pending`,
    ),
    segmentBar(
      [
        { value: counts.succeeded, cls: "seg-materialized", label: "succeeded" },
        { value: counts.failed, cls: "seg-failed", label: "failed" },
        { value: counts.skipped, cls: "seg-skipped", label: "skipped" },
        { value: counts.canceled, cls: "seg-canceled", label: "canceled" },
        { value: counts.running, cls: "seg-running", label: "running" },
        { value: counts.pending, cls: "seg-missing", label: "pending" },
      ],
      Math.max(
        run.stepCount,
        counts.succeeded + counts.failed + counts.skipped + counts.canceled + counts.running,
      ),
    ),
  );
}

function failuresList(detail) {
  if (detail.failuresTotal === 0) return [];
  return [
    h("h2", null, `Failures (${fmtNumber(detail.failuresTotal)})`),
    h(
      "ul",
      { class: "failures" },
      detail.failures.map((f) =>
        h(
          "li",
          null,
          assetLink(f.assetKey),
          f.partitionKey ? h("span", { class: "mono" }, `[${f.partitionKey}]`) : "",
          ": ",
          h("span", { class: "error-cell" }, f.error ?? ""),
        ),
      ),
    ),
  ];
}

function stepsTable(steps) {
  return gridTable(
    ["asset", "partition", "status", "started", "duration", "error / reason"],
    steps,
    (step) =>
      h(
        "tr",
        { class: `row-${step.status}` },
        h("td", null, assetLink(step.assetKey)),
        h("td", { class: "mono" }, step.partitionKey ?? ""),
        h("td", null, badge(step.status)),
        h("td", null, fmtTime(step.startedAt)),
        h("td", null, fmtDuration(step.durationMs)),
        h("td", { class: "error-cell" }, step.error ?? ""),
      ),
    { empty: "No steps yet." },
  );
}

const LEVELS = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

function appendLog(pre, lines) {
  for (const line of lines) pre.append(formatLogLine(line), "\n");
  while (pre.childNodes.length > 2 * MAX_LOG_LINES) pre.firstChild.remove();
  pre.scrollTop = pre.scrollHeight;
}

/** pino JSON lines: time level asset[partition] message. */
function formatLogLine(line) {
  let rec;
  try {
    rec = JSON.parse(line);
  } catch {
    return h("span", null, line); // not JSON: show it as written
  }
  const { time, level, msg, asset, partition, err } = rec;
  const where = asset ? `${asset}${partition ? `[${partition}]` : ""} ` : "";
  const lvl = LEVELS[level] ?? String(level ?? "");
  const when = time ? new Date(time).toLocaleTimeString() : "";
  return h(
    "span",
    { class: `log-${lvl}` },
    `${when} ${lvl.toUpperCase().padEnd(5)} ${where}${msg ?? ""}${err?.message ? ` — ${err.message}` : ""}`,
  );
}
