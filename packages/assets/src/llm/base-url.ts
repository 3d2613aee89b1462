import { LlmConfigError } from "./errors.ts";

export const OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1";

/** Validate the base URL and keep only origin + path, so credentials or query never reach logs. */
export function safeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LlmConfigError(`invalid LLM base URL ${JSON.stringify(scrubUrl(url))}`, {
      variable: "DD_LLM_BASE_URL",
      hint: `use an http(s) URL such as ${OPENROUTER_BASE_URL} or http://127.0.0.1:11434/v1`,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new LlmConfigError(`LLM base URL must be http or https, got ${parsed.protocol}`, {
      variable: "DD_LLM_BASE_URL",
      hint: `use an http(s) URL such as ${OPENROUTER_BASE_URL}`,
    });
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

function scrubUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//[redacted]@");
}
