/**
 * Child-process probe for permission tests: opens the instance at argv[2],
 * writes one dynamic partition, and prints the outcome (or the error) as JSON.
 * Run unprivileged, since root ignores file permissions.
 */
import { AssetsError } from "../../errors.ts";
import { openInstance } from "../instance.ts";

const home = process.argv[2];
try {
  const instance = openInstance(home);
  instance.addDynamicPartitions("probe", ["k"]);
  instance.close();
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  if (!(err instanceof AssetsError)) throw err;
  console.log(
    JSON.stringify({ ok: false, name: err.name, code: err.code, message: err.message, hint: err.hint }),
  );
}
