import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { linkAbort } from "./abort-link.ts";

describe("linkAbort", () => {
  it("puts one listener on the parent however many links are open", () => {
    const parent = new AbortController();
    const links = Array.from({ length: 50 }, () => linkAbort(parent.signal));
    expect(getEventListeners(parent.signal, "abort")).toHaveLength(1);
    for (const link of links) link.unlink();
    linkAbort(parent.signal);
    expect(getEventListeners(parent.signal, "abort")).toHaveLength(1);
  });

  it("aborts the open links with the parent's reason, and not the unlinked ones", () => {
    const parent = new AbortController();
    const open = linkAbort(parent.signal);
    const closed = linkAbort(parent.signal);
    closed.unlink();
    parent.abort(new Error("run cancelled"));
    expect(open.signal?.aborted).toBe(true);
    expect(open.signal?.reason).toEqual(new Error("run cancelled"));
    expect(closed.signal?.aborted).toBe(false);
  });

  it("returns an aborted signal for an aborted parent, and no signal without a parent", () => {
    expect(linkAbort(AbortSignal.abort()).signal?.aborted).toBe(true);
    expect(linkAbort(undefined).signal).toBeUndefined();
  });
});
