import type { DynamicPartitionWriter } from "@daydream/core";
import { cohortYamlPath, membershipPath, STAGES, type Stage } from "../config/paths.ts";
import { type ReplicationConfig, readReplicationConfig } from "../raw/replication-config.ts";
import { readSelectedEssays, type SelectedEssays } from "../raw/selected-essays.ts";
import { readCohortAxes, requireAxes } from "./axes.ts";
import { buildCartesianMembership } from "./cartesian.ts";
import { type CohortMode, updateCohortYaml } from "./cohort-files.ts";
import { buildCuratedMembership } from "./curated.ts";
import { assertParentIntegrity } from "./integrity.ts";
import { forgetMembership, rememberMembership } from "./membership-cache.ts";
import { type PreviousMembers, readPreviousMembers, writeMembershipCsv } from "./membership-file.ts";
import { GEN_ID, type Membership } from "./membership-schema.ts";
import { GEN_PARTITIONS, noteMembershipRegistered } from "./partitions.ts";

export interface MembershipBuild {
  membership: Membership;
  mode: CohortMode;
  /** Path A only: drafts and essays got cohort-scoped ids. */
  regenerate: boolean;
  /** `regenerate` was asked for a Cartesian cohort, where every stage is generated afresh anyway. */
  regenerateIgnored: boolean;
  /** Path A only: the curated essay list. */
  selected?: SelectedEssays;
  /** data/1_raw/replication_config.csv, when it exists. */
  replication?: ReplicationConfig;
}

/**
 * Build (in memory, nothing written) the membership of a cohort: Path A from
 * data/2_tasks/selected_essays.txt when it exists, else Path B over the active axes.
 * Parent integrity is checked before anything can be written.
 */
export function buildMembership(
  root: string,
  cohortId: string,
  opts: { regenerate?: boolean } = {},
): MembershipBuild {
  // The previous membership is about to be replaced: let it be collected while the new one is built.
  forgetMembership();
  const axes = readCohortAxes(root);
  const selected = readSelectedEssays(root);
  const replication = readReplicationConfig(root);
  const regenerate = opts.regenerate === true && selected !== undefined;
  let membership: Membership;
  if (selected) {
    requireAxes(axes, ["evaluation"]);
    membership = buildCuratedMembership(axes, selected, cohortId, { regenerate, replication });
  } else {
    requireAxes(axes, STAGES);
    membership = buildCartesianMembership(axes, cohortId, replication);
  }
  assertParentIntegrity(membership);
  return {
    membership,
    mode: selected ? "from_essays" : "cartesian",
    regenerate,
    regenerateIgnored: opts.regenerate === true && !regenerate,
    selected,
    replication,
  };
}

export interface MembershipWritten {
  /** Absolute path of membership.csv. */
  file: string;
  /** False when the file already held exactly this membership (left untouched). */
  changed: boolean;
  /** gen_ids of the previous membership.csv that the new one no longer has (their partitions stay). */
  dropped: Record<Stage, number> | undefined;
  /** Why the previous membership.csv could not be compared, when it could not. */
  previousUnreadable?: string;
}

/** Write membership.csv atomically and record mode/regenerate in cohort.yaml. */
export function writeMembership(root: string, build: MembershipBuild, now?: () => Date): MembershipWritten {
  const { membership } = build;
  const file = membershipPath(root, membership.cohortId);
  let previous: PreviousMembers | undefined;
  // Only a changed membership is compared with the one it replaces (an unchanged one drops nothing).
  const changed = writeMembershipCsv(file, membership, () => {
    previous = readPreviousMembers(file);
  });
  rememberMembership(file, membership);
  updateCohortYaml(
    cohortYamlPath(root, membership.cohortId),
    { id: membership.cohortId, mode: build.mode, regenerate: build.regenerate },
    now,
  );
  if (!changed) return { file, changed, dropped: { draft: 0, essay: 0, evaluation: 0 } };
  if (previous === undefined) return { file, changed, dropped: undefined };
  if (!previous.ok) return { file, changed, dropped: undefined, previousUnreadable: previous.reason };
  const dropped = { draft: 0, essay: 0, evaluation: 0 };
  for (const stage of STAGES) {
    const current = new Set(membership.rows[stage].map((r) => r[GEN_ID]));
    for (const id of previous.ids[stage]) if (!current.has(id)) dropped[stage]++;
  }
  return { file, changed, dropped };
}

/**
 * Register every gen_id of the membership as a partition of its stage (add-only), through a
 * writer so that the caller can write files meanwhile; resolves with the keys new per stage.
 */
export async function registerMembershipPartitions(
  writer: DynamicPartitionWriter,
  m: Membership,
  runId: string,
): Promise<Record<Stage, number>> {
  const adds = STAGES.map((stage) =>
    writer.add(
      GEN_PARTITIONS[stage],
      m.rows[stage].map((r) => r[GEN_ID]),
    ),
  );
  const [draft, essay, evaluation] = await Promise.all(adds);
  noteMembershipRegistered(runId, m);
  return { draft, essay, evaluation };
}
