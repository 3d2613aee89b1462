import type { ClaimOutcome, RunHolder, StepRef, Storage } from "../instance/types.ts";
import type { Plan } from "./plan.ts";

/** Claim ahead at most the steps expected to start within this window... */
const CLAIM_AHEAD_MS = 200;
/** ...and never more than this many: claims held ahead keep other runs off those steps. */
export const MAX_CLAIM_AHEAD = 256;
/** Weight of the latest step in the running average of step durations. */
const DURATION_WEIGHT = 0.1;
/** How often steps held by another run are asked for again. */
const HELD_POLL_MS = 200;

const UNCLAIMED = 0;
/** Claimed ahead: the claim is held, the runner has not reached the step yet. */
const CLAIMED_AHEAD = 1;
/** Found materialized ahead (re-checking runs only): nothing to do when the runner gets there. */
const MATERIALIZED_AHEAD = 2;
/** The runner reached the step (it asked for its claim). */
const REACHED = 3;

/** What became of a step's claim. */
export type ClaimAnswer =
  /** This run holds the claim; `waitedOn` lists the runs that held it first, if any. */
  | { kind: "claimed"; waitedOn?: RunHolder[] }
  /** Re-checking run: the step was materialized since planning, by another run. */
  | { kind: "materialized"; waitedOn?: RunHolder[] }
  /** Another live run holds the claim. */
  | { kind: "held"; holder: RunHolder }
  /** The run stopped while the step waited. */
  | { kind: "stopped" };

interface Request {
  node: number;
  resolve(answer: ClaimAnswer): void;
  reject(err: unknown): void;
}

interface Waiter {
  resolve(answer: ClaimAnswer): void;
  reject(err: unknown): void;
  holders: Map<string, RunHolder>;
}
/**
 * Takes a run's step claims in batches: one `claimSteps` transaction per batch instead of one
 * per step. A batch holds the steps the runner asked for in the same tick, plus steps that are
 * ready (every upstream step succeeded in this run) and will be asked for soon. How far ahead
 * depends on how fast steps finish, so slow steps (LLM calls) are not claimed long before
 * they start. A step computes only once `claim` answered "claimed", and claims taken ahead are
 * held until the run releases them, so two runs never compute one step at once. A re-checking
 * run (`missing`) is told, in the claim's own transaction, when a step got materialized since
 * planning. Steps held by another live run can wait: they are asked for again every
 * HELD_POLL_MS in one batch until their holder finishes or dies.
 */
export class StepClaims {
  private readonly state: Uint8Array;
  /** Per node (steps, then barriers): upstream nodes that have not succeeded yet. */
  private readonly pending: Int32Array;
  /** Downstream nodes of node n: children[childStart[n] .. childStart[n + 1]). */
  private readonly childStart: Int32Array;
  private readonly children: Int32Array;
  /** Steps whose upstream all succeeded, in the order they became ready (each enters once). */
  private readonly ready: Int32Array;
  private readyHead = 0;
  private readyTail = 0;
  private claimedAhead = 0;
  private averageStepMs: number | undefined;
  private requests: Request[] = [];
  private flushQueued = false;
  private readonly waiters = new Map<number, Waiter>();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly runId: string,
    private readonly plan: Plan,
    private readonly concurrency: number,
    /** Report steps materialized since planning instead of claiming them (`missing` runs). */
    private readonly recheck: boolean,
  ) {
    const steps = plan.steps.length;
    const nodes = plan.upstream.length;
    this.state = new Uint8Array(steps);
    this.pending = new Int32Array(nodes);
    this.childStart = new Int32Array(nodes + 1);
    this.ready = new Int32Array(steps);
    for (let n = 0; n < nodes; n++) {
      this.pending[n] = plan.upstream[n].length;
      for (const u of plan.upstream[n]) this.childStart[u + 1]++;
    }
    for (let n = 0; n < nodes; n++) this.childStart[n + 1] += this.childStart[n];
    this.children = new Int32Array(this.childStart[nodes]);
    const filled = this.childStart.slice(0, nodes);
    for (let n = 0; n < nodes; n++) {
      for (const u of plan.upstream[n]) this.children[filled[u]++] = n;
    }
    for (let n = 0; n < steps; n++) if (this.pending[n] === 0) this.ready[this.readyTail++] = n;
  }

  /**
   * The step's claim: at once when it was settled ahead, otherwise after the next batch. Call
   * once per step.
   */
  claim(node: number): ClaimAnswer | Promise<ClaimAnswer> {
    const before = this.state[node];
    this.state[node] = REACHED;
    if (before === CLAIMED_AHEAD) {
      this.claimedAhead--;
      return CLAIMED;
    }
    if (before === MATERIALIZED_AHEAD) return MATERIALIZED;
    return new Promise((resolve, reject) => {
      this.requests.push({ node, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        // Steps the scheduler starts in the same tick join one batch.
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Whether any node of the plan waits on this one (a leaf step's holder can be left alone). */
  hasDownstream(node: number): boolean {
    return this.childStart[node + 1] > this.childStart[node];
  }

  /**
   * Waits until the step's holder lets go of it: its claim is then this run's, or (re-checking
   * run) the step turned out materialized. Resolves "stopped" when the run stops first.
   */
  waitForRelease(node: number, holder: RunHolder, signal: AbortSignal): Promise<ClaimAnswer> {
    if (signal.aborted) return Promise.resolve(STOPPED);
    this.dropClaimsAhead();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(node);
        resolve(STOPPED);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.set(node, {
        resolve: (answer) => {
          signal.removeEventListener("abort", onAbort);
          resolve(answer);
        },
        reject: (err) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
        holders: new Map([[holder.runId, holder]]),
      });
      this.schedulePoll();
    });
  }

  /**
   * A run with waiting steps gives back the claims it took ahead and takes no more until none
   * waits: two runs each waiting on a step the other merely claimed ahead would wait forever.
   */
  private dropClaimsAhead(): void {
    if (this.claimedAhead === 0) return;
    const nodes: number[] = [];
    for (let n = 0; n < this.state.length; n++) {
      if (this.state[n] !== CLAIMED_AHEAD) continue;
      this.state[n] = UNCLAIMED;
      nodes.push(n);
    }
    this.claimedAhead = 0;
    this.storage.releaseSteps(
      this.runId,
      nodes.map((n) => this.refOf(n)),
    );
  }

  /** Stops polling (the run is over). */
  close(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.waiters.size === 0) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.poll();
      this.schedulePoll();
    }, HELD_POLL_MS);
  }

  private poll(): void {
    const nodes = [...this.waiters.keys()];
    const refs = nodes.map((n) => this.refOf(n));
    let outcome: ClaimOutcome<StepRef>;
    try {
      outcome = this.storage.claimSteps(this.runId, refs, { skipMaterialized: this.recheck });
    } catch (err) {
      for (const waiter of this.waiters.values()) waiter.reject(err);
      this.waiters.clear();
      return;
    }
    eachOutcome(refs, outcome, (i, kind, holder) => {
      const waiter = this.waiters.get(nodes[i])!;
      if (kind === "held") {
        waiter.holders.set(holder!.runId, holder!);
        return;
      }
      this.waiters.delete(nodes[i]);
      waiter.resolve({ kind, waitedOn: [...waiter.holders.values()] });
    });
  }

  private refOf(node: number): StepRef {
    const step = this.plan.steps[node];
    return { assetKey: step.assetKey, partitionKey: step.partitionKey ?? "" };
  }

  /**
   * A step finished: its duration tunes how far ahead to claim (none for a step another run
   * materialized); success readies its downstream.
   */
  finished(node: number, durationMs: number | undefined, succeeded: boolean): void {
    if (durationMs !== undefined) {
      this.averageStepMs =
        this.averageStepMs === undefined
          ? durationMs
          : this.averageStepMs + DURATION_WEIGHT * (durationMs - this.averageStepMs);
    }
    if (succeeded) this.succeeded(node);
  }

  private succeeded(node: number): void {
    const stepCount = this.plan.steps.length;
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (let i = this.childStart[n]; i < this.childStart[n + 1]; i++) {
        const child = this.children[i];
        if (--this.pending[child] !== 0) continue;
        // A barrier has no work of its own: it passes once all its upstream steps succeeded.
        if (child >= stepCount) stack.push(child);
        else this.ready[this.readyTail++] = child;
      }
    }
  }

  /** How many steps to hold claimed ahead, from the steps' average duration (none before one ends). */
  private aheadLimit(): number {
    if (this.averageStepMs === undefined || this.waiters.size > 0) return 0;
    const expectedStarts = (this.concurrency * CLAIM_AHEAD_MS) / Math.max(this.averageStepMs, 0.001);
    return Math.min(MAX_CLAIM_AHEAD, Math.floor(expectedStarts));
  }

  private flush(): void {
    this.flushQueued = false;
    const requests = this.requests;
    this.requests = [];
    const nodes = requests.map((r) => r.node);
    for (let room = this.aheadLimit() - this.claimedAhead; room > 0 && this.readyHead < this.readyTail; ) {
      const node = this.ready[this.readyHead++];
      if (this.state[node] !== UNCLAIMED) continue;
      nodes.push(node);
      room--;
    }
    const refs = nodes.map((n) => this.refOf(n));
    let outcome: ClaimOutcome<StepRef>;
    try {
      outcome = this.storage.claimSteps(this.runId, refs, { skipMaterialized: this.recheck });
    } catch (err) {
      for (const r of requests) r.reject(err);
      return;
    }
    eachOutcome(refs, outcome, (i, kind, holder) => {
      if (i < requests.length) {
        if (kind === "held") requests[i].resolve({ kind, holder: holder! });
        else requests[i].resolve(kind === "claimed" ? CLAIMED : MATERIALIZED);
      } else if (kind === "claimed") {
        this.state[nodes[i]] = CLAIMED_AHEAD;
        this.claimedAhead++;
      } else if (kind === "materialized") {
        this.state[nodes[i]] = MATERIALIZED_AHEAD;
      }
      // A step refused ahead stays unclaimed: it is asked for again when the runner reaches it.
    });
  }
}

const CLAIMED: ClaimAnswer = { kind: "claimed" };
const MATERIALIZED: ClaimAnswer = { kind: "materialized" };
const STOPPED: ClaimAnswer = { kind: "stopped" };

/**
 * Calls `visit(i, kind)` for every ref of a claim batch. Each outcome list keeps the order and
 * identity of `refs`, so one pass with a cursor per list matches them without a map.
 */
function eachOutcome(
  refs: readonly StepRef[],
  outcome: ClaimOutcome<StepRef>,
  visit: (i: number, kind: "claimed" | "materialized" | "held", holder?: RunHolder) => void,
): void {
  let c = 0;
  let m = 0;
  let h = 0;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    if (outcome.claimed[c] === ref) {
      c++;
      visit(i, "claimed");
    } else if (outcome.materialized[m] === ref) {
      m++;
      visit(i, "materialized");
    } else if (outcome.held[h]?.step === ref) {
      visit(i, "held", outcome.held[h++].holder);
    } else {
      throw new Error(`claim outcome lost step ${ref.assetKey}[${ref.partitionKey}]`);
    }
  }
}
