import { expect } from "vitest";

/** The error `fn` throws, checked to be an instance of `type`; fails the test when nothing is thrown. */
export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error, "expected an error to be thrown").toBeInstanceOf(type);
  return error as E;
}
