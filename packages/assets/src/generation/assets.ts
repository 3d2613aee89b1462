/** What the generation stages add to the Definitions: six assets, their IO manager and the LLM resource. */
import { draftPromptAsset, draftResponseAsset } from "./draftAssets.ts";
import { essayPromptAsset, essayResponseAsset } from "./essayAssets.ts";
import { evaluationPromptAsset, evaluationResponseAsset } from "./evaluationAssets.ts";
import { GENS_IO, gensIOManager } from "./gensIO.ts";
import { LLM_RESOURCE, llmResource } from "./llmResource.ts";

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
