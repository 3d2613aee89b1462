/** `assets partitions list|count|add|delete NAME [KEYS...]`: flags and help; the work is in run/partitions.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parseNonNegativeInt, parsePositiveInt } from "../options.ts";

const impl = () => import("../run/partitions.ts");

export function registerPartitions(program: Command): void {
  const partitions = program
    .command("partitions")
    .description("list, count, add or delete dynamic partition keys")
    .addHelpText(
      "after",
      examples([
        ["npx assets partitions list", "every partitions definition with its key count"],
        ["npx assets partitions add draft_gens k1 k2", "register keys (idempotent)"],
        ["npx assets partitions delete draft_gens k1 --yes", "forget a key"],
      ]),
    );

  partitions
    .command("list")
    .description("print the keys of NAME in insertion order (without NAME: every definition and its count)")
    .argument("[name]", "partitions definition name")
    .option("--limit <n>", "print at most N keys", parsePositiveInt)
    .option("--offset <n>", "skip the first N keys", parseNonNegativeInt)
    .option("--json", "print a JSON array")
    .addHelpText(
      "after",
      examples([
        ["npx assets partitions list", "every partitions definition"],
        ["npx assets partitions list draft_gens --limit 20", "the first 20 keys"],
      ]),
    )
    .action(lazyAction(async () => (await impl()).runPartitionsList));

  partitions
    .command("count")
    .description("print how many keys NAME has")
    .argument("<name>", "partitions definition name")
    .option("--json", "print a JSON object")
    .addHelpText("after", examples([["npx assets partitions count draft_gens", "number of registered keys"]]))
    .action(lazyAction(async () => (await impl()).runPartitionsCount));

  partitions
    .command("add")
    .description("register keys (idempotent: reports how many were new)")
    .argument("<name>", "partitions definition name")
    .argument("[keys...]", "partition keys")
    .option("--file <file>", 'read keys from FILE, one per line ("-" reads stdin)')
    .option("--json", "print a JSON object")
    .addHelpText(
      "after",
      examples([
        ["npx assets partitions add draft_gens k1 k2", "two keys"],
        ["cat ids.txt | npx assets partitions add draft_gens --file -", "keys from stdin"],
      ]),
    )
    .action(lazyAction(async () => (await impl()).runPartitionsAdd));

  partitions
    .command("delete")
    .description("delete keys (needs --yes; materialization records are kept)")
    .argument("<name>", "partitions definition name")
    .argument("[keys...]", "partition keys")
    .option("--file <file>", 'read keys from FILE, one per line ("-" reads stdin)')
    .option("--yes", "confirm the deletion")
    .option("--json", "print a JSON object")
    .addHelpText(
      "after",
      examples([
        ["npx assets partitions delete draft_gens k1 --yes", "one key"],
        ["npx assets partitions delete draft_gens --file stale.txt --yes", "keys listed in a file"],
      ]),
    )
    .action(lazyAction(async () => (await impl()).runPartitionsDelete));
}
