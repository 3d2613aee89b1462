import { expect } from "vitest";
import { AssetsError } from "../../../errors.ts";

/** The AssetsError `fn` throws; fails the test when it returns or throws something else. */
export function thrown(fn: () => unknown): AssetsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AssetsError);
    return err as AssetsError;
  }
  throw new Error("expected the call to throw, but it returned");
}
