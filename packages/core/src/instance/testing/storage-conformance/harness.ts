import { afterAll, afterEach, beforeEach } from "vitest";
import type { Storage } from "../../types.ts";

/**
 * What the conformance suite needs from one Storage implementation. Every test gets a fresh,
 * empty location, so that whole-instance answers (listRuns, markDeadRunsInterrupted,
 * listDynamicPartitionsDefinitions) can be asserted exactly.
 */
export interface StorageHarness {
  /** Shown in the test names: "SQLite", "PostgreSQL". */
  readonly name: string;
  /**
   * A new place for an instance with nothing created there yet (a directory, a schema URL),
   * as a string a child process can be given. `dispose` removes it.
   */
  freshLocation(label: string): string;
  /** What `Storage.location` must say for `location`: fit to print (no password). */
  printedLocation(location: string): string;
  /** Opens the storage at `location`, creating and migrating it on first open. */
  open(location: string): Storage;
  /**
   * Absolute path of a module exporting `openStorage(location: string): Storage`: how the child
   * processes of the race tests open the same storage.
   */
  readonly childOpener: string;
  /** The schema version stored at `location`, and the latest one this code applies. */
  schemaVersion(location: string): Promise<{ found: number; latest: number }>;
  /** Removes every location handed out (after the suite). */
  dispose(): Promise<void>;
}

/** The module a child process imports through `StorageHarness.childOpener`. */
export interface ChildOpener {
  openStorage(location: string): Storage;
}

export interface TestInstance {
  /** The test's own location. */
  readonly location: string;
  /** What the storage must report as its `location`. */
  readonly printedLocation: string;
  /** The storage opened on it before the test. */
  readonly storage: Storage;
  /** Another connection to the same location (another process would have its own); closed after the test. */
  openAnother(): Storage;
}

let tests = 0;

/**
 * Registers hooks giving each test of the enclosing describe a fresh location with a storage
 * open on it; every storage opened through it is closed after the test.
 */
export function useTestInstance(harness: StorageHarness, label: string): () => TestInstance {
  let current: TestInstance | undefined;
  let opened: Storage[] = [];
  beforeEach(() => {
    tests++;
    const location = harness.freshLocation(`${label}_${tests}`);
    const open = () => {
      const storage = harness.open(location);
      opened.push(storage);
      return storage;
    };
    current = {
      location,
      printedLocation: harness.printedLocation(location),
      storage: open(),
      openAnother: open,
    };
  });
  afterEach(() => {
    for (const storage of opened) storage.close();
    opened = [];
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("useTestInstance: no test is running");
    return current;
  };
}

/** Disposes the harness once every case of the suite has run. */
export function disposeAfterAll(harness: StorageHarness): void {
  // Removing a hundred locations (schemas on a server) can take a while on a busy machine.
  afterAll(() => harness.dispose(), 180_000);
}
