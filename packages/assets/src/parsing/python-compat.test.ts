import { describe, expect, it } from "vitest";
import { decimalDigitsToAscii, pyFloat, pyFloatRepr, pyStrip } from "./python-compat.ts";

describe("pyStrip", () => {
  it("strips Python whitespace, including U+001C..U+001F and NEL, but not U+FEFF or U+180E", () => {
    expect(pyStrip("\u001c\u001f\u0085\u00a0 x y\u3000\t\n")).toBe("x y");
    expect(pyStrip("\ufeffx\u180e")).toBe("\ufeffx\u180e");
    expect(pyStrip(" \n\u001d ")).toBe("");
  });
});

describe("decimal digits", () => {
  it("reads any Unicode decimal digit as its value", () => {
    expect(decimalDigitsToAscii("７٣𝟕५0")).toBe("73750");
    expect(pyFloat("-٣.５")).toBe(-3.5);
  });
});

describe("pyFloatRepr", () => {
  it.each([
    [0.1, "0.1"],
    [1e-5, "1e-05"],
    [1e-4, "0.0001"],
    [0.00012345, "0.00012345"],
    [1.5e16, "1.5e+16"],
    [1e16, "1e+16"],
    [9999999999999998, "9999999999999998.0"],
    [123456789012345.6, "123456789012345.6"],
    [1e22, "1e+22"],
    [-2.5e-7, "-2.5e-07"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [2, "2.0"],
    [100, "100.0"],
    [1 / 3, "0.3333333333333333"],
    [-0, "-0.0"],
  ])("writes %d as Python's repr %s", (value, expected) => {
    expect(pyFloatRepr(value)).toBe(expected);
  });
});
