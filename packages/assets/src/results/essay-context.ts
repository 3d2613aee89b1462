import { GensStoreError } from "../gens/errors.ts";
import type { GenMetadata } from "../gens/metadata.ts";
import type { GensStore } from "../gens/store.ts";
import { EMPTY_ESSAY_CONTEXT, type EssayContext } from "./parsed-scores.ts";

const CONTEXT_KEYS = Object.keys(EMPTY_ESSAY_CONTEXT) as (keyof EssayContext)[];

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Essay context as the gens store records it: the essay's metadata.json and its parent draft's. */
export function essayContextFromMetadata(essay: GenMetadata, draft?: GenMetadata): EssayContext {
  return {
    draft_gen_id: essay.parent_gen_id,
    combo_id: text(draft?.combo_id),
    draft_template: text(draft?.template_id),
    essay_template: text(essay.essay_template) || essay.template_id,
    generation_model: essay.model_id || text(draft?.model_id),
  };
}

/** `primary` with its empty cells taken from `fallback`. */
export function fillBlankContext(primary: EssayContext, fallback: EssayContext): EssayContext {
  const out = { ...primary };
  for (const key of CONTEXT_KEYS) if (out[key] === "") out[key] = fallback[key];
  return out;
}

function isComplete(context: EssayContext): boolean {
  return CONTEXT_KEYS.every((key) => context[key] !== "");
}

const MAX_WARNINGS = 20;

/**
 * Essay context by essay gen_id: the essay task row first; cells it leaves empty (or an essay
 * it does not list, e.g. a legacy one) come from the gens metadata. Unreadable metadata leaves
 * the cells empty and is kept in `warnings` (the score itself does not depend on it).
 */
export class EssayContextResolver {
  readonly warnings: string[] = [];
  warningCount = 0;
  readonly #cache = new Map<string, EssayContext>();

  constructor(
    private readonly store: GensStore,
    private readonly fromTasks: ReadonlyMap<string, EssayContext>,
  ) {}

  async resolve(essayGenId: string): Promise<EssayContext> {
    const cached = this.#cache.get(essayGenId);
    if (cached) return cached;
    const primary = this.fromTasks.get(essayGenId) ?? EMPTY_ESSAY_CONTEXT;
    const context = isComplete(primary)
      ? primary
      : fillBlankContext(primary, await this.#fromMetadata(essayGenId));
    this.#cache.set(essayGenId, context);
    return context;
  }

  async #fromMetadata(essayGenId: string): Promise<EssayContext> {
    const essay = await this.#metadata("essay", essayGenId);
    if (!essay) return EMPTY_ESSAY_CONTEXT;
    const draft = essay.parent_gen_id ? await this.#metadata("draft", essay.parent_gen_id) : undefined;
    return essayContextFromMetadata(essay, draft);
  }

  async #metadata(stage: "essay" | "draft", genId: string): Promise<GenMetadata | undefined> {
    try {
      if (!this.store.has(stage, genId, "metadata")) {
        this.#warn(`${stage} ${genId} has no metadata.json`);
        return undefined;
      }
      return await this.store.readMetadata(stage, genId);
    } catch (err) {
      if (!(err instanceof GensStoreError)) throw err;
      this.#warn(err.message);
      return undefined;
    }
  }

  #warn(message: string): void {
    this.warningCount++;
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(message);
  }
}
