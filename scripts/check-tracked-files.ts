/**
 * Keeps stray binaries out of the repository (run by `npm run lint`, and so by CI):
 * fails when git tracks an archive, package, library or database file, or any file
 * git sees as binary that is not on the allow-list below.
 *
 * Usage: tsx scripts/check-tracked-files.ts [repository root, default: the current directory]
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

/** Never tracked: build outputs, installable packages and databases belong elsewhere. */
const REFUSED_SUFFIXES = [
  ".whl",
  ".tar.gz",
  ".tgz",
  ".zip",
  ".egg",
  ".jar",
  ".so",
  ".dylib",
  ".exe",
  ".sqlite",
  ".db",
];

/** Binary files that belong here on purpose, as path globs (`*` stays within one folder). */
const BINARY_ALLOW_LIST = [
  // The screenshots shown in docs/ui.md.
  "docs/img/*.png",
  // A score-parser test vector made of one control character (git calls it binary).
  "packages/assets/tests/fixtures/vectors/eval_responses/synthetic/s202.txt",
];

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
  return new RegExp(`^${escaped}$`);
}

const allowed = BINARY_ALLOW_LIST.map(globToRegExp);
const root = path.resolve(process.argv[2] ?? ".");

// `--eol` reports, per tracked file, git's own text/binary verdict on the staged
// content ("i/-text" = binary), so this matches what `git diff` would call binary.
const listing = execFileSync("git", ["-C", root, "ls-files", "-z", "--eol"], {
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
});

const problems: string[] = [];
for (const entry of listing.split("\0")) {
  if (entry === "") continue;
  const tab = entry.indexOf("\t");
  const file = entry.slice(tab + 1);
  const indexInfo = entry.slice(0, tab).split(/\s+/)[0];
  const lower = file.toLowerCase();
  const suffix = REFUSED_SUFFIXES.find((s) => lower.endsWith(s));
  if (suffix) {
    problems.push(`${file}: ${suffix} files are not kept in the repository`);
  } else if (indexInfo === "i/-text" && !allowed.some((re) => re.test(file))) {
    problems.push(`${file}: binary file not on the allow-list`);
  }
}

if (problems.length > 0) {
  console.error(`error: ${problems.length} tracked file(s) should not be in the repository:`);
  for (const problem of problems) console.error(`  ${problem}`);
  console.error(
    "  hint: remove them with `git rm --cached <file>`; a binary that belongs here (an image, a test vector) " +
      "goes on BINARY_ALLOW_LIST in scripts/check-tracked-files.ts",
  );
  process.exit(1);
}
