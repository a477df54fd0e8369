// Bundles src/main.ts (with Cytoscape.js from node_modules) and copies public/ into the Python
// package's api/http/explorer_static/, or into the folder given as the first argument
// (tests/explorer/test_build.py builds there and compares with what is committed).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2] ?? "../api/http/explorer_static";
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  legalComments: "linked",
  outfile: join(out, "explorer.js"),
  logLevel: "warning",
});
for (const name of readdirSync("public")) copyFileSync(join("public", name), join(out, name));
