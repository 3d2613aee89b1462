// Launch page: materialize a selection with a partition choice, like `assets materialize`.
import { api, query } from "../lib/api.js";
import { clear, errorBox, h } from "../lib/dom.js";

const MODES = [
  ["none", "no partitions (unpartitioned assets)"],
  ["key", "one partition key"],
  ["keys", "a list of keys"],
  ["missing", "missing partitions (no successful materialization)"],
  ["all", "all registered partitions"],
];

export async function renderLaunch(root, _params, q) {
  const { assets } = await api("/api/assets");
  const byKey = new Map(assets.map((a) => [a.key, a]));
  const selection = h("input", {
    id: "launch-selection",
    name: "selection",
    required: true,
    value: q.get("select") ?? "",
    list: "asset-keys",
    placeholder: "e.g. draft_response or group:generation_draft",
    spellcheck: "false",
  });
  const preview = h("div", { id: "selection-preview", class: "muted" });
  const modeInputs = MODES.map(([value, label]) =>
    h(
      "label",
      { class: "radio" },
      h("input", { type: "radio", name: "mode", value, checked: value === "none" }),
      label,
    ),
  );
  const key = h("input", { id: "launch-key", name: "key", placeholder: "partition key" });
  const keys = h("textarea", {
    id: "launch-keys",
    name: "keys",
    rows: 4,
    placeholder: "one key per line (or comma-separated)",
  });
  const concurrency = h("input", {
    id: "launch-concurrency",
    type: "number",
    min: 1,
    max: 1024,
    placeholder: "8",
  });
  const failFast = h("input", { id: "launch-fail-fast", type: "checkbox" });
  const runConfig = h("textarea", {
    id: "launch-config",
    rows: 4,
    placeholder: "run config (YAML), e.g.\nassets:\n  cohort_id:\n    override: my-cohort",
  });
  const messages = h("div");
  const submit = h("button", { type: "submit", id: "launch-submit" }, "Launch run");

  const mode = () => modeInputs.map((l) => l.querySelector("input")).find((i) => i.checked).value;
  const syncMode = () => {
    key.disabled = mode() !== "key";
    keys.disabled = mode() !== "keys";
  };
  for (const label of modeInputs) label.querySelector("input").addEventListener("change", syncMode);
  syncMode();

  let previewTimer = null;
  const updatePreview = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const sel = selection.value.trim();
      if (!sel) {
        clear(preview);
        return;
      }
      try {
        const res = await api(`/api/selection${query({ select: sel })}`);
        const partitioned = res.keys.filter((k) => byKey.get(k)?.partitions);
        clear(preview).append(
          `${res.keys.length} asset(s): ${res.keys.join(", ")}`,
          partitioned.length > 0
            ? h("div", null, `partitioned: ${partitioned.join(", ")} — choose partitions below`)
            : null,
        );
        if (partitioned.length > 0 && mode() === "none") {
          modeInputs
            .find((l) => l.querySelector("input").value === "missing")
            .querySelector("input").checked = true;
          syncMode();
        }
      } catch (err) {
        clear(preview).append(errorBox(err));
      }
    }, 250);
  };
  selection.addEventListener("input", updatePreview);
  updatePreview();

  const form = h(
    "form",
    {
      id: "launch-form",
      class: "launch",
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        clear(messages);
        const m = mode();
        const body = {
          selection: selection.value.trim(),
          partitions: {
            mode: m,
            ...(m === "key" ? { key: key.value.trim() } : {}),
            ...(m === "keys" ? { keys: keys.value } : {}),
          },
          failFast: failFast.checked,
          ...(concurrency.value ? { concurrency: Number(concurrency.value) } : {}),
          ...(runConfig.value.trim() ? { runConfig: runConfig.value } : {}),
        };
        try {
          const res = await api("/api/runs", { method: "POST", body });
          location.hash = `#/runs/${encodeURIComponent(res.runId)}`;
        } catch (err) {
          messages.append(errorBox(err));
          submit.disabled = false;
        }
      },
    },
    h("label", null, "Selection", selection),
    h(
      "datalist",
      { id: "asset-keys" },
      assets.map((a) => h("option", { value: a.key })),
    ),
    preview,
    h("fieldset", null, h("legend", null, "Partitions"), modeInputs, key, keys),
    h(
      "div",
      { class: "row" },
      h("label", null, "Concurrency", concurrency),
      h("label", { class: "radio" }, failFast, "stop after the first failure"),
    ),
    h("label", null, "Run config", runConfig),
    submit,
  );
  root.append(h("h1", null, "Launch a run"), messages, form);
  return () => clearTimeout(previewTimer);
}
