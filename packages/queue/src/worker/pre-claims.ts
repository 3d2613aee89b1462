import type { ClaimOptions, ClaimOutcome, Instance, RunHolder, StepRef, Storage } from "@daydream/core";
import type { OpenStep } from "../steps/step-rows.ts";

type Answer = "claimed" | "materialized";

function keyOf(step: StepRef): string {
  return `${step.assetKey}\u0000${step.partitionKey}`;
}

/**
 * Claims the steps of the jobs that start in one turn with one statement, before each job's
 * own plan asks for its step's claim, which is then answered from here: one claim per turn
 * instead of one per step. The claims are real (held by the worker's run in the instance, with
 * the re-check of `missing` runs), so for other runs only the moment they were taken changes.
 * A claim no plan asked for (the job ended before its plan did) is given back by `release`.
 * Steps held by another run are not remembered: their plan asks again, and hears so.
 */
export class PreClaims {
  private readonly answers = new Map<string, Answer>();

  constructor(
    private readonly storage: Storage,
    private readonly workerRun: string,
  ) {}

  claim(steps: readonly OpenStep[]): void {
    for (const recheck of [false, true]) {
      const refs: StepRef[] = steps
        .filter((s) => s.recheck === recheck)
        .map((s) => ({ assetKey: s.assetKey, partitionKey: s.partitionKey }));
      if (refs.length === 0) continue;
      const outcome = this.storage.claimSteps(this.workerRun, refs, { skipMaterialized: recheck });
      for (const ref of outcome.claimed) this.answers.set(keyOf(ref), "claimed");
      for (const ref of outcome.materialized) this.answers.set(keyOf(ref), "materialized");
    }
  }

  /** Gives back the claim taken for `step` if no plan asked for it. */
  release(step: StepRef): void {
    const answer = this.answers.get(keyOf(step));
    if (answer === undefined) return;
    this.answers.delete(keyOf(step));
    if (answer === "claimed") {
      this.storage.releaseSteps(this.workerRun, [
        { assetKey: step.assetKey, partitionKey: step.partitionKey },
      ]);
    }
  }

  /** The instance the worker's plans run on: its storage answers pre-claimed steps itself. */
  instanceView(instance: Instance): Instance {
    const storage = new Proxy(this.storage, {
      get: (target, prop) => {
        if (prop === "claimSteps") return this.claimSteps;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return Object.create(instance, { storage: { value: storage } }) as Instance;
  }

  private readonly claimSteps = <S extends StepRef>(
    runId: string,
    steps: readonly S[],
    opts?: ClaimOptions,
  ): ClaimOutcome<S> => {
    const ask = runId === this.workerRun ? steps.filter((s) => !this.answers.has(keyOf(s))) : steps;
    const asked = ask.length > 0 ? this.storage.claimSteps(runId, ask, opts) : undefined;
    if (ask.length === steps.length && asked !== undefined) return asked;
    // Each list keeps the order of the steps given, pre-claimed ones and asked ones mixed.
    const heard = new Map<S, { kind: Answer | "held"; holder?: RunHolder }>();
    for (const s of asked?.claimed ?? []) heard.set(s, { kind: "claimed" });
    for (const s of asked?.materialized ?? []) heard.set(s, { kind: "materialized" });
    for (const h of asked?.held ?? []) heard.set(h.step, { kind: "held", holder: h.holder });
    const outcome: ClaimOutcome<S> = { claimed: [], held: [], materialized: [] };
    for (const s of steps) {
      let answer = heard.get(s);
      if (answer === undefined) {
        answer = { kind: this.answers.get(keyOf(s))! };
        this.answers.delete(keyOf(s));
      }
      if (answer.kind === "held") outcome.held.push({ step: s, holder: answer.holder! });
      else outcome[answer.kind].push(s);
    }
    return outcome;
  };
}
