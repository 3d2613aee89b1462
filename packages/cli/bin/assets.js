#!/usr/bin/env node
// Entry point of the `assets` command: TypeScript sources run through tsx (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
const code = await main(process.argv);
// Exit explicitly: an instance or logger left open must not keep the process alive.
process.exit(code);
