import fs from "node:fs";
import type { ErrorContext } from "@daydream/core";
import { displayPath } from "../config/data-root.ts";
import { membershipFailurePath, membershipPath } from "../config/paths.ts";
import { writeFileAtomicSync } from "../raw/atomic-file.ts";
import { CohortError } from "./errors.ts";

/**
 * data/cohorts/cohort_membership.failed.json: the cohort's membership just failed, either
 * when cohort_membership built it or when a task table read it (a hand-edited
 * membership.csv that breaks its rules). The task tables in data/2_tasks are then those
 * of an earlier membership, and nothing may be generated from them until the membership
 * succeeds again, which removes the file.
 */
export interface MembershipFailure {
  cohort_id: string;
  run_id: string;
  /** The step that failed: cohort_membership, or the task table that read the membership. */
  step: string;
  failed_at: string;
  /** The first line of the error. */
  error: string;
}

/** Task tables or generation refused because the cohort's membership just failed. */
export class MembershipFailedError extends CohortError {}

export function recordMembershipFailure(root: string, failure: MembershipFailure): void {
  writeFileAtomicSync(membershipFailurePath(root), `${JSON.stringify(failure, null, 2)}\n`);
}

export function clearMembershipFailure(root: string): void {
  fs.rmSync(membershipFailurePath(root), { force: true });
}

/** The recorded failure, if any; a file that cannot be parsed still counts as one. */
export function readMembershipFailure(root: string): MembershipFailure | undefined {
  const file = membershipFailurePath(root);
  // Checked before every generation step: a missing file must cost no thrown ENOENT.
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text) as MembershipFailure;
  } catch {
    // Its presence is the signal: a damaged record must block generation as an intact one does.
    const unknown = "(unreadable record)";
    return {
      cohort_id: unknown,
      run_id: unknown,
      step: "cohort_membership",
      failed_at: unknown,
      error: unknown,
    };
  }
}

/**
 * The error for `failure`, raised by a task table or a generation step (`context` says
 * which asset and partition) that would otherwise work from the task tables of an
 * earlier membership.
 */
export function membershipFailedError(
  root: string,
  failure: MembershipFailure,
  context: ErrorContext,
): MembershipFailedError {
  const file = displayPath(membershipFailurePath(root));
  const built = failure.step === "cohort_membership";
  const what = built
    ? `the last cohort_membership (cohort ${failure.cohort_id}, run ${failure.run_id}) failed`
    : `the membership of cohort ${failure.cohort_id} failed its checks when ${failure.step} read it (run ${failure.run_id})`;
  const fix = built
    ? "fix what made it fail, then build the cohort again: npx assets materialize --select cohort_id,cohort_membership,group:task_definitions"
    : `fix ${displayPath(membershipPath(root, failure.cohort_id))} (or rebuild it with cohort_membership), then project the task tables again: npx assets materialize --select group:task_definitions`;
  return new MembershipFailedError(
    "MEMBERSHIP_FAILED",
    `${what}: ${failure.error}; the task tables in data/2_tasks are from an earlier membership and nothing is generated from them`,
    {
      context: { ...context, cohort: failure.cohort_id, run: failure.run_id, file },
      hint: `${fix} (once the membership succeeds, ${file} is removed)`,
    },
  );
}

/** Fails while any membership failure is recorded (generation steps). */
export function assertMembershipNotFailed(root: string, context: ErrorContext): void {
  const failure = readMembershipFailure(root);
  if (failure) throw membershipFailedError(root, failure, context);
}
