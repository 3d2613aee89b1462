/**
 * Parent integrity of the cohort membership as a check. cohort_membership refuses to write a
 * membership that breaks it, so right after a materialization the check passes without reading
 * the file again; on demand (`assets check cohort_membership`) it re-reads membership.csv, which
 * may have been edited by hand since.
 */
import { type AssetCheckDefinition, AssetsError, assetCheck, type CheckResult } from "@daydream/core";
import { readMembershipCsv } from "../cohorts/membership-file.ts";
import { displayPath } from "../config/data-root.ts";

interface MembershipValue {
  cohort_id?: unknown;
  membership_path?: unknown;
}

export const membershipIntegrityCheck: AssetCheckDefinition = assetCheck({
  name: "parent_integrity",
  asset: "cohort_membership",
  description: "every essay's parent is a draft and every evaluation's parent an essay of the membership",
  blocking: true,
  check: async (ctx): Promise<CheckResult> => {
    if (ctx.runId !== undefined)
      return { passed: true, description: "enforced while the membership was built" };
    const value = (await ctx.loadValue()) as MembershipValue;
    if (typeof value?.membership_path !== "string" || typeof value.cohort_id !== "string") {
      return { passed: false, description: "the stored membership summary names no membership.csv" };
    }
    try {
      readMembershipCsv(value.membership_path, value.cohort_id);
      return { passed: true, metadata: { file: displayPath(value.membership_path) } };
    } catch (err) {
      if (!(err instanceof AssetsError)) throw err;
      return {
        passed: false,
        description: err.message.split("\n")[0],
        metadata: Object.fromEntries(
          Object.entries(err.context).filter(([, v]) => v !== undefined),
        ) as Record<string, string | number | boolean>,
      };
    }
  },
});
