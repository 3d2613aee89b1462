const links = new WeakMap<AbortSignal, Set<AbortController>>();

export interface LinkedAbort {
  /** Undefined when there is no parent: nothing can abort the work. */
  readonly signal: AbortSignal | undefined;
  /** Stop following the parent; call when the work the signal guards is over. */
  unlink(): void;
}

const UNLINKED: LinkedAbort = { signal: undefined, unlink: () => {} };

/**
 * A signal that aborts when `parent` does. Every call of a run shares the run's one signal:
 * instead of one listener per call on it (thousands per run, and a MaxListenersExceededWarning),
 * each parent gets a single listener that aborts whichever linked controllers are still open.
 */
export function linkAbort(parent: AbortSignal | undefined): LinkedAbort {
  if (parent === undefined) return UNLINKED;
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, unlink: () => {} };
  }
  let open = links.get(parent);
  if (open === undefined) {
    const set = new Set<AbortController>();
    open = set;
    links.set(parent, set);
    parent.addEventListener(
      "abort",
      () => {
        for (const c of set) c.abort(parent.reason);
        set.clear();
      },
      { once: true },
    );
  }
  const set = open;
  set.add(controller);
  return { signal: controller.signal, unlink: () => set.delete(controller) };
}
