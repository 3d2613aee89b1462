/**
 * A headless Chromium driven by playwright-core for the UI's end-to-end tests.
 *
 * The browser comes from npm so that `npm install && npm test` passes on a fresh
 * machine: `@sparticuz/chromium` ships a brotli-compressed Chromium (linux x64)
 * inside its package. Debian's `chromium` is the fallback where that binary
 * cannot run; `$CHROMIUM_PATH` overrides both.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";
import { type Browser, chromium } from "playwright-core";

const REPO = path.resolve(import.meta.dirname, "../../..");
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * The npm Chromium, decompressed once into node_modules/.cache. We do not call the
 * package's own executablePath(): it writes to a fixed /tmp/chromium in place, so two
 * test files starting together (or an interrupted first run) could launch a half-written
 * binary. Here each process decompresses to its own temp file and renames it into place.
 */
async function npmChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  const pkgDir = path.resolve(path.dirname(require.resolve("@sparticuz/chromium")), "../..");
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as {
    version: string;
  };
  const target = path.join(REPO, "node_modules", ".cache", `sparticuz-chromium-${version}`, "chromium");
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await pipeline(
      fs.createReadStream(path.join(pkgDir, "bin", "chromium.br")),
      createBrotliDecompress(),
      fs.createWriteStream(temp, { mode: 0o755 }),
    );
    fs.renameSync(temp, target);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return target;
}

/** The executable to launch, and where it came from (for error messages). */
async function chromiumExecutable(): Promise<{ path: string; source: string }> {
  if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, source: "$CHROMIUM_PATH" };
  // The npm package's binary is built for linux x64 only.
  if (process.platform === "linux" && process.arch === "x64") {
    return { path: await npmChromium(), source: "@sparticuz/chromium" };
  }
  if (fs.existsSync(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM, source: "Debian's chromium" };
  throw new Error(
    `no Chromium for ${process.platform}-${process.arch}: @sparticuz/chromium ships linux x64 only ` +
      `and ${DEBIAN_CHROMIUM} is missing; hint: install chromium, or set CHROMIUM_PATH to a Chromium executable`,
  );
}

function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export async function launchBrowser(): Promise<Browser> {
  const executable = await chromiumExecutable();
  try {
    return await launch(executable.path);
  } catch (err) {
    // The npm binary relies on the system's shared libraries (nss, fontconfig...), which
    // Debian's chromium package brings along; use that browser when it is there.
    if (executable.source === "@sparticuz/chromium" && fs.existsSync(DEBIAN_CHROMIUM)) {
      console.warn(`@sparticuz/chromium did not start (${(err as Error).message}); using ${DEBIAN_CHROMIUM}`);
      return launch(DEBIAN_CHROMIUM);
    }
    throw new Error(
      `could not start Chromium from ${executable.source} (${executable.path}): ${(err as Error).message}; ` +
        "hint: install chromium (apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium executable",
    );
  }
}
