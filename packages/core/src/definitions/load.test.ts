import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefinitionError } from "../errors.ts";
import { loadDefinitions } from "./load.ts";

const here = path.dirname(new URL(import.meta.url).pathname);
const assetModule = JSON.stringify(path.join(here, "asset.ts"));
const defineModule = JSON.stringify(path.join(here, "define.ts"));

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "load-definitions-"));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return file;
}

async function rejection(file: string): Promise<DefinitionError> {
  try {
    await loadDefinitions(file);
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return err as DefinitionError;
  }
  throw new Error(`expected ${file} to be rejected`);
}

const validBody = (key: string) => `
import { asset } from ${assetModule};
import { defineDefinitions } from ${defineModule};
const numbers = asset({ key: "${key}", compute: () => [1, 2, 3] });
export default defineDefinitions({ assets: [numbers] });
`;

describe("loadDefinitions", () => {
  it("loads the default export of a .ts module", async () => {
    const defs = await loadDefinitions(write("defs.ts", validBody("numbers")));
    expect(defs.kind).toBe("definitions");
    expect([...defs.assets.keys()]).toEqual(["numbers"]);
  });

  it("loads a .mjs module given a path relative to the current directory", async () => {
    const file = write("defs.mjs", validBody("squares"));
    const defs = await loadDefinitions(path.relative(process.cwd(), file));
    expect([...defs.assets.keys()]).toEqual(["squares"]);
  });

  it("reports a missing file with its absolute path", async () => {
    const err = await rejection(path.join(dir, "nope.ts"));
    expect(err.code).toBe("DEFINITIONS_NOT_FOUND");
    expect(err.message).toContain(path.join(dir, "nope.ts"));
    expect(err.context.file).toBe(path.join(dir, "nope.ts"));
    expect(err.hint).toContain("assets.yaml");
  });

  it("reports a directory given instead of a file", async () => {
    expect((await rejection(dir)).message).toContain("is not a file");
  });

  it("reports a module that throws while loading, with the cause message", async () => {
    const err = await rejection(write("throws.mjs", 'throw new Error("database url not set");\n'));
    expect(err.code).toBe("DEFINITIONS_LOAD_FAILED");
    expect(err.message).toContain("database url not set");
    expect((err.cause as Error).message).toBe("database url not set");
    expect(err.hint).toContain("npx tsx");
  });

  it("keeps the hint of a definition error raised inside the module", async () => {
    const body = `
import { asset } from ${assetModule};
import { defineDefinitions } from ${defineModule};
export default defineDefinitions({ assets: [asset({ key: "a", deps: ["b"], compute: () => 1 })] });
`;
    const err = await rejection(write("invalid.mjs", body));
    expect(err.message).toContain('asset "a" depends on "b"');
    expect(err.hint).toContain("remove it from deps");
    expect(err.context.file).toBe(path.join(dir, "invalid.mjs"));
  });

  it("reports a module without a default export", async () => {
    const err = await rejection(write("named.mjs", "export const defs = 1;\n"));
    expect(err.code).toBe("DEFINITIONS_NO_DEFAULT");
    expect(err.hint).toContain("export default defineDefinitions");
  });

  it("reports a default export that is not a Definitions", async () => {
    const err = await rejection(write("wrong.mjs", "export default { assets: [] };\n"));
    expect(err.code).toBe("DEFINITIONS_BAD_EXPORT");
    expect(err.message).toContain("got an object with keys assets");
    expect(err.hint).toContain("defineDefinitions");
  });
});
