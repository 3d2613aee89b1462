// Previous/next controls for a server-paged table ({ total, offset, limit }).
import { fmtNumber, h } from "./dom.js";

export function pager(page, go) {
  const last = Math.max(0, Math.ceil(page.total / page.limit) - 1);
  const current = Math.floor(page.offset / page.limit);
  return h(
    "div",
    { class: "pager" },
    h("button", { type: "button", disabled: current === 0, onclick: () => go(0) }, "« first"),
    h(
      "button",
      { type: "button", disabled: current === 0, onclick: () => go(page.offset - page.limit) },
      "‹ prev",
    ),
    h(
      "span",
      { class: "muted" },
      `page ${fmtNumber(current + 1)} of ${fmtNumber(last + 1)} · ${fmtNumber(page.total)} rows`,
    ),
    h(
      "button",
      { type: "button", disabled: current >= last, onclick: () => go(page.offset + page.limit) },
      "next ›",
    ),
    h(
      "button",
      { type: "button", disabled: current >= last, onclick: () => go(last * page.limit) },
      "last »",
    ),
  );
}
