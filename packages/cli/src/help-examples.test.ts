import defaultDefinitions from "@daydream/assets/definitions";
import { resolveSelection } from "@daydream/core";
import type { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "./main.ts";

/** Every command under `program`, the program itself first. */
function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The full --help text, examples included (they are added after the generated part). */
function helpText(cmd: Command): string {
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

/** Splits an example the way a shell would, for the simple quoting the examples use. */
function words(commandLine: string): string[] {
  return [...commandLine.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** The arguments after `npx assets`, placeholders filled in, any pipe or redirection cut off. */
function assetsArgs(example: string): string[] {
  const command = example.slice(example.indexOf("npx assets ") + "npx assets ".length);
  return words(command.split(/ [|>] /)[0].replace(/<\w+>/g, "x"));
}

describe("the examples in --help", () => {
  const examples = new Map<string, string[]>();
  beforeAll(() => {
    for (const cmd of allCommands(buildProgram())) {
      const lines = [...helpText(cmd).matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1]);
      examples.set(commandPath(cmd), lines);
    }
  });

  it("every command's help ends with examples of that command", () => {
    expect([...examples.keys()]).toEqual(
      expect.arrayContaining(["", "materialize", "partitions add", "runs show", "logs", "graph", "wipe"]),
    );
    for (const [command, lines] of examples) {
      expect(lines.length, `assets ${command} --help`).toBeGreaterThan(0);
      for (const line of lines) expect(line, `assets ${command} --help`).toContain(`npx assets`);
      if (command !== "") for (const line of lines) expect(line).toContain(` ${command}`);
    }
  });

  it("every example is accepted by the argument parser", async () => {
    for (const line of [...examples.values()].flat()) {
      const program = buildProgram();
      let ran: string | undefined;
      for (const cmd of allCommands(program)) {
        cmd.configureOutput({ writeErr: () => {}, outputError: () => {} });
        cmd.action(() => {
          ran = commandPath(cmd);
        });
      }
      await expect(program.parseAsync(["node", "assets", ...assetsArgs(line)]), line).resolves.toBeDefined();
      expect(ran, line).toBeDefined();
    }
  });

  it("every selection an example uses exists in the default definitions", () => {
    const selections = [...examples.values()].flat().flatMap((line) => {
      const args = assetsArgs(line);
      const at = args.indexOf("--select");
      return at === -1 ? [] : [args[at + 1]];
    });
    expect(selections.length).toBeGreaterThan(5);
    for (const selection of selections) {
      expect(resolveSelection(defaultDefinitions, selection).length, selection).toBeGreaterThan(0);
    }
  });
});
