/** Environment switches of the cohort pipeline, read at use time. */

/**
 * An explicit cohort id from `DD_COHORT` (blank counts as unset). Not trimmed: an id with
 * surrounding spaces is refused by the cohort id rule, as the UI refuses it, rather than
 * silently becoming another id.
 */
export function envCohortOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.DD_COHORT;
  return value?.trim() ? value : undefined;
}

/** `DD_ALLOW_LEGACY_TASKS=1`: task tables may fall back to the active axes when membership.csv is missing. */
export function legacyTasksAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.DD_ALLOW_LEGACY_TASKS?.trim().toLowerCase();
  return value === "1" || value === "true";
}
