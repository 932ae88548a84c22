// Copies the installed htmx.org build into static/vendor/ under a versioned
// file name (cache-busting, stable SRI per version) and removes older copies.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(root, "node_modules", "htmx.org");
const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const outDir = join(root, "static", "vendor");
const outName = `htmx-${version}.min.js`;

mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) {
  if (/^htmx-.+\.min\.js$/.test(f) && f !== outName) {
    unlinkSync(join(outDir, f));
    console.log(`removed static/vendor/${f}`);
  }
}
copyFileSync(join(pkgDir, "dist", "htmx.min.js"), join(outDir, outName));
console.log(`vendored htmx ${version} -> static/vendor/${outName}`);
