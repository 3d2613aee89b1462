import { openInstance } from "../../instance.ts";
import type { Storage } from "../../types.ts";

/** The SQLite storage of the instance at `home`, as the engine opens it (child processes import this). */
export function openStorage(home: string): Storage {
  return openInstance(home).storage;
}
