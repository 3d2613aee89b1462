/**
 * Runs the package's definitions in this process against a temp data root, optionally with
 * a scripted LLM client in place of the `llm` resource.
 */
import {
  type Definitions,
  defineDefinitions,
  type Instance,
  materialize,
  openInstance,
  type PartitionsSelector,
  type RunSummary,
} from "@daydream/core";
import definitions from "../../../src/definitions.ts";
import type { LlmClient, LlmClientInfo, LlmRequest, LlmResponse } from "../../../src/llm/types.ts";

export type Answer = Partial<Pick<LlmResponse, "text" | "finishReason" | "usage">> | Error;

/** An LlmClient that answers from a function of the request and records every call. */
export class ScriptedLlm implements LlmClient {
  readonly provider = "scripted";
  readonly offline = false;
  readonly maxTokens = 512;
  readonly calls: LlmRequest[] = [];

  constructor(private readonly answer: (req: LlmRequest, call: number) => Answer) {}

  describe(): LlmClientInfo {
    return { provider: this.provider, offline: false, maxTokens: this.maxTokens };
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    this.calls.push(req);
    const a = this.answer(req, this.calls.length);
    if (a instanceof Error) throw a;
    return {
      text: a.text ?? "",
      finishReason: a.finishReason === undefined ? "stop" : a.finishReason,
      usage: a.usage === undefined ? { promptTokens: 11, completionTokens: 22, totalTokens: 33 } : a.usage,
      model: req.model,
      provider: this.provider,
      offline: false,
      attempts: 1,
      costUsd: null,
      costSource: null,
    };
  }
}

export interface Pipeline {
  defs: Definitions;
  instance: Instance;
  run(selection: string, partitions?: PartitionsSelector): Promise<RunSummary>;
  close(): void;
}

/**
 * The package's definitions (with `llm` replaced when given) on an instance under `home`;
 * DD_DATA_ROOT points at `dataRoot` for the duration of the test.
 */
export function pipeline(dataRoot: string, home: string, llm?: LlmClient): Pipeline {
  process.env.DD_DATA_ROOT = dataRoot;
  process.env.DD_LLM = "offline";
  const defs = llm
    ? defineDefinitions({
        assets: [...definitions.assets.values()],
        resources: { ...definitions.resources, llm },
        ioManagers: { ...definitions.ioManagers },
      })
    : definitions;
  const instance = openInstance(home);
  return {
    defs,
    instance,
    run: (selection, partitions) =>
      materialize(defs, { instance, selection, partitions, logLevel: "silent" }),
    close: () => {
      instance.close();
      delete process.env.DD_DATA_ROOT;
      delete process.env.DD_LLM;
    },
  };
}

/** cohort_id, cohort_membership and the task tables: the partitions every generation test needs. */
export async function buildCohort(p: Pipeline): Promise<void> {
  for (const selection of ["cohort_id,cohort_membership", "group:task_definitions"]) {
    const s = await p.run(selection);
    if (s.status !== "succeeded") throw new Error(`${selection}: ${JSON.stringify(s.failures)}`);
  }
}
