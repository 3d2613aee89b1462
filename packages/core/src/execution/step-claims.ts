import type { StepRef, Storage } from "../instance/types.ts";
import type { Plan } from "./plan.ts";

/** Claim ahead at most the steps expected to start within this window... */
const CLAIM_AHEAD_MS = 50;
/** ...and never more than this many: claims held ahead keep other runs off those steps. */
export const MAX_CLAIM_AHEAD = 256;
/** Weight of the latest step in the running average of step durations. */
const DURATION_WEIGHT = 0.1;

const UNCLAIMED = 0;
/** Claimed ahead: the claim is held, the runner has not reached the step yet. */
const CLAIMED_AHEAD = 1;
/** The runner reached the step (it asked for its claim). */
const REACHED = 2;

interface Request {
  node: number;
  resolve(claimed: boolean): void;
  reject(err: unknown): void;
}

/**
 * Takes a run's step claims in batches: one `claimSteps` transaction per batch instead of one
 * per step. A batch holds the steps the runner asked for in the same tick, plus steps that are
 * ready (every upstream step succeeded in this run) and will be asked for soon. How far ahead
 * depends on how fast steps finish, so slow steps (LLM calls) are not claimed long before
 * they start. A step computes only once `claim` said true, and claims taken ahead are held
 * until the run releases them, so two runs never compute one step at once.
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

  constructor(
    private readonly storage: Storage,
    private readonly runId: string,
    private readonly plan: Plan,
    private readonly concurrency: number,
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
   * Whether this run holds the step's claim: at once when it was claimed ahead, otherwise
   * after the next batch. False means another live run holds it. Call once per step.
   */
  claim(node: number): boolean | Promise<boolean> {
    const before = this.state[node];
    this.state[node] = REACHED;
    if (before === CLAIMED_AHEAD) {
      this.claimedAhead--;
      return true;
    }
    return new Promise((resolve, reject) => {
      this.requests.push({ node, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        // Steps the scheduler starts in the same tick join one batch.
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** A step finished: its duration tunes how far ahead to claim; success readies its downstream. */
  finished(node: number, durationMs: number, succeeded: boolean): void {
    this.averageStepMs =
      this.averageStepMs === undefined
        ? durationMs
        : this.averageStepMs + DURATION_WEIGHT * (durationMs - this.averageStepMs);
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
    if (this.averageStepMs === undefined) return 0;
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
    const refs: StepRef[] = nodes.map((n) => {
      const step = this.plan.steps[n];
      return { assetKey: step.assetKey, partitionKey: step.partitionKey ?? "" };
    });
    let claimed: StepRef[];
    try {
      claimed = this.storage.claimSteps(this.runId, refs);
    } catch (err) {
      for (const r of requests) r.reject(err);
      return;
    }
    // The claimed subset keeps the order and identity of `refs`.
    let next = 0;
    refs.forEach((ref, i) => {
      const taken = claimed[next] === ref;
      if (taken) next++;
      if (i < requests.length) requests[i].resolve(taken);
      else if (taken) {
        this.state[nodes[i]] = CLAIMED_AHEAD;
        this.claimedAhead++;
      }
      // A step refused ahead stays unclaimed: it is asked for again when the runner reaches it.
    });
  }
}
