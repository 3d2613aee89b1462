// Generation page: the prompt, raw and parsed text and metadata of one gen_id.
import { api, fetchText } from "../lib/api.js";
import { errorBox, genLink, h } from "../lib/dom.js";

const PARENT_STAGE = { essay: "draft", evaluation: "essay" };

export async function renderGen(root, [stage, genId]) {
  const base = `/api/gens/${encodeURIComponent(stage)}/${encodeURIComponent(genId)}`;
  const info = await api(base);
  const parentLine = h("p", { id: "gen-parent" });
  root.append(h("h1", null, `${stage} `, h("span", { class: "mono" }, genId)), parentLine);
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
