import { describe, expect, it } from "vitest";
import { closestNames, suggestionHint } from "./suggest.ts";

describe("name suggestions", () => {
  const assets = ["draft_prompt", "draft_response", "essay_response", "evaluation_response", "cohort_id"];

  it("suggests the names within a small edit distance, closest first", () => {
    expect(closestNames("draft_respone", assets)).toEqual(["draft_response"]);
    expect(closestNames("cohortid", assets)).toEqual(["cohort_id"]);
  });

  it("suggests names that contain what was typed", () => {
    expect(closestNames("response", assets)).toEqual([
      "draft_response",
      "essay_response",
      "evaluation_response",
    ]);
  });

  it("lists what exists when nothing is close", () => {
    expect(suggestionHint("zzz", assets, "asset")).toBe(`known assets: ${assets.join(", ")}`);
    expect(suggestionHint("zzz", [], "asset")).toBe("no asset is defined");
    expect(suggestionHint("cohort_ids", assets, "asset")).toBe('did you mean "cohort_id"?');
  });
});
