/** What the generation stages add to the Definitions: six assets, their IO manager and the LLM resource. */
import { draftPromptAsset, draftResponseAsset } from "./draft-assets.ts";
import { essayPromptAsset, essayResponseAsset } from "./essay-assets.ts";
import { evaluationPromptAsset, evaluationResponseAsset } from "./evaluation-assets.ts";
import { GENS_IO, gensIOManager } from "./gens-io.ts";
import { LLM_RESOURCE, llmResource } from "./llm-resource.ts";

export const generationAssets = [
  draftPromptAsset,
  draftResponseAsset,
  essayPromptAsset,
  essayResponseAsset,
  evaluationPromptAsset,
  evaluationResponseAsset,
];

export const generationIOManagers = { [GENS_IO]: gensIOManager() };

export const generationResources = { [LLM_RESOURCE]: llmResource };
