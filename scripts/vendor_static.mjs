// Copies the front-end packages installed from package-lock.json into the app's static folder,
// so that pages load them from the platform itself (government networks are offline; no CDN).
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dest = join(root, "src", "smartfactory", "static", "vendor");
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["echarts/dist/echarts.min.js", "echarts.min.js"],
  ["@picocss/pico/css/pico.min.css", "pico.min.css"],
  ["htmx.org/LICENSE", "LICENSE.htmx"],
  ["echarts/LICENSE", "LICENSE.echarts"],
  ["@picocss/pico/LICENSE.md", "LICENSE.pico.md"],
];
mkdirSync(dest, { recursive: true });
for (const [from, to] of files) {
  cpSync(join(root, "node_modules", from), join(dest, to));
}
console.log(`vendored ${files.length} files into ${dest.slice(root.length + 1)}`);
