/**
 * Serves the front end (plain ES modules in packages/ui/public) and the one
 * vendored library, elkjs, straight from node_modules: no build step, no CDN.
 */
import { createReadStream, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
// Found through the package, not this file's location, so it also holds inside the prebuilt CLI bundle.
const PUBLIC_DIR = path.join(path.dirname(require.resolve("@daydream/ui/package.json")), "public");
const VENDOR_FILES: Record<string, string> = {
  "/vendor/elk.bundled.js": require.resolve("elkjs/lib/elk.bundled.js"),
};

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** Path of the file answering `pathname`, or undefined when there is none. */
export function staticFileFor(pathname: string): string | undefined {
  const vendor = VENDOR_FILES[pathname];
  if (vendor !== undefined) return vendor;
  const relative = pathname === "/" ? "index.html" : pathname.slice(1);
  if (relative.split("/").some((part) => part === ".." || part === "" || part.startsWith(".")))
    return undefined;
  const file = path.resolve(PUBLIC_DIR, relative);
  if (!file.startsWith(PUBLIC_DIR + path.sep)) return undefined;
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat?.isFile() ? file : undefined;
}

export function sendStaticFile(res: ServerResponse, file: string, headOnly: boolean): void {
  const stat = statSync(file);
  res.writeHead(200, {
    "content-type": MIME[path.extname(file)] ?? "application/octet-stream",
    "content-length": stat.size,
    // The page modules change with the code; vendor files only with npm install.
    "cache-control": file.includes(`${path.sep}node_modules${path.sep}`) ? "max-age=3600" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (headOnly) {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
