// Generation page: the prompt, raw and parsed text and metadata of one gen_id.
import { api, fetchText } from "../lib/api.js";
import { errorBox, genLink, h } from "../lib/dom.js";

const PARENT_STAGE = { essay: "draft", evaluation: "essay" };

export async function renderGen(root, [stage, genId]) {
  const base = `/api/gens/${encodeURIComponent(stage)}/${encodeURIComponent(genId)}`;
  const info = await api(base);
  const parentLine = h("p", { id: "gen-parent" });
  const chain = h("section", { id: "gen-lineage" });
  root.append(h("h1", null, `${stage} `, h("span", { class: "mono" }, genId)), parentLine, chain);
  await showLineage(chain, genId);
  for (const [file, size] of Object.entries(info.files)) {
    const section = h("section", { class: "gen-file", "data-file": file }, h("h2", null, file));
    root.append(section);
    if (size === null) {
      section.append(h("p", { class: "muted" }, "not written"));
      continue;
    }
    try {
      const text = await fetchText(`${base}/${file}`);
      section.append(h("pre", { class: "gen-text" }, text));
      if (file === "metadata.json") showParent(parentLine, stage, text);
    } catch (err) {
      section.append(errorBox(err));
    }
  }
}

function showParent(line, stage, metadataText) {
  const parentStage = PARENT_STAGE[stage];
  const parent = JSON.parse(metadataText).parent_gen_id;
  if (parentStage && parent) line.append(`parent ${parentStage}: `, genLink(parentStage, parent));
}

/** The chain draft -> essay -> evaluations of the generation, as `assets lineage` prints it. */
async function showLineage(section, genId) {
  let lineage;
  try {
    lineage = await api(`/api/lineage/${encodeURIComponent(genId)}`);
  } catch (err) {
    section.append(errorBox(err));
    return;
  }
  const depth = new Map();
  const items = lineage.nodes.map((node) => {
    const parents = node.parents.map((p) => depth.get(`${p.partitions}/${p.partitionKey}`) ?? -1);
    const d = parents.length > 0 ? Math.max(...parents) + 1 : 0;
    depth.set(`${node.partitions}/${node.partitionKey}`, d);
    const stage = node.partitions.replace(/_gens$/, "");
    const facts = Object.entries(node.description ?? {})
      .filter(([key]) => key !== "files")
      .map(([key, value]) => `${key} ${value}`)
      .join("  ");
    const statuses = node.assets.map((a) => {
      const failed = a.checks.filter((c) => !c.passed).map((c) => c.checkName);
      const checks = failed.length > 0 ? ` (check failed: ${failed.join(", ")})` : "";
      return h("span", { class: `status-${a.status}` }, `${a.assetKey} ${a.status}${checks}`);
    });
    return h(
      "li",
      { style: `margin-left: ${d * 1.5}em`, "data-role": node.role },
      node.role === "self"
        ? h("strong", null, `${stage} ${node.partitionKey}`)
        : genLink(stage, node.partitionKey),
      ` ${facts} `,
      ...statuses.flatMap((s) => [s, " "]),
    );
  });
  section.append(h("h2", null, "lineage"), h("ul", { class: "lineage" }, ...items));
}
