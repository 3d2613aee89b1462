/**
 * The OpenAI SDK, imported on the first LLM call rather than at start-up: most commands
 * (`list`, `show`, cohort and task-table builds) never call a model, and compiling the SDK
 * is a noticeable share of every command's start-up.
 */
export type OpenAiSdk = typeof import("openai");

let loading: Promise<OpenAiSdk> | undefined;

export function loadOpenAiSdk(): Promise<OpenAiSdk> {
  loading ??= import("openai");
  return loading;
}
