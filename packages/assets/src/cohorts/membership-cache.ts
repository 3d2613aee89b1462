import fs from "node:fs";
import path from "node:path";
import { readMembershipCsv } from "./membership-file.ts";
import type { Membership } from "./membership-schema.ts";

/**
 * One parsed membership kept per process: cohort_membership leaves what it just wrote
 * here and the three task tables of the same run project from it instead of parsing
 * the file three times. An entry is used only while the file's inode, size and
 * mtime are unchanged, so an edited file is always read again.
 */
let slot: { file: string; signature: string; membership: Membership } | undefined;

function signatureOf(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}`;
}

/** Call right after writing `file` from `membership`. */
export function rememberMembership(file: string, membership: Membership): void {
  slot = { file: path.resolve(file), signature: signatureOf(file), membership };
}

/** The membership at `file` (checked as readMembershipCsv does), from the cache when the file is unchanged. */
export function loadMembership(file: string, cohortId: string): Membership {
  const abs = path.resolve(file);
  const signature = signatureOf(abs);
  if (slot && slot.file === abs && slot.signature === signature && slot.membership.cohortId === cohortId)
    return slot.membership;
  const membership = readMembershipCsv(abs, cohortId);
  slot = { file: abs, signature, membership };
  return membership;
}

/** Drop the cached membership (tests; long-lived processes after a cohort is done). */
export function forgetMembership(): void {
  slot = undefined;
}
