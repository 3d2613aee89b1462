import { describe, expect, it } from "vitest";
import { createPainter } from "./colors.ts";
import { prettyLogLine } from "./log-line.ts";

const plain = createPainter(false);

describe("pretty log lines", () => {
  it("shows time, level, step, message and the extra fields of a pino line", () => {
    const time = new Date(2025, 0, 2, 3, 4, 5, 6).toISOString();
    const line = JSON.stringify({
      level: 30,
      time,
      run_id: "r1",
      asset: "squared",
      partition: "7",
      msg: "squaring",
      n: 7,
      note: "two words",
    });
    expect(prettyLogLine(line, plain)).toBe('03:04:05.006 INFO  squared[7] squaring n=7 note="two words"');
  });

  it("prints an error's stack indented under the line", () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: "step failed",
      err: { message: "boom", stack: "Error: boom\n    at x" },
    });
    expect(prettyLogLine(line, plain).split("\n")).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} ERROR step failed$/),
      "    Error: boom",
      "        at x",
    ]);
  });

  it("returns a line that is not a JSON object as it is", () => {
    expect(prettyLogLine('{"level":30,"msg":"cut sho', plain)).toBe('{"level":30,"msg":"cut sho');
    expect(prettyLogLine("[1,2]", plain)).toBe("[1,2]");
  });
});
