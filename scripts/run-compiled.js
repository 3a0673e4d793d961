// node scripts/run-compiled.js <script.ts> [args...]: runs a TypeScript entry point (npm run plan,
// the bench's planning process) as one JavaScript file compiled by esbuild, instead of through
// tsx's loader: the loader, its ESM hooks thread and Node's source-map bookkeeping were 0.6-0.8 s
// of CPU and 55-70 MiB of every plan (3+100: 5.0 of 5.6 s, load 4). Plain JavaScript, since it
// must start without a TypeScript loader.
//
// Only the project's own files are compiled into the output; packages load from node_modules as
// usual. Each module's `__dirname` is replaced by its source folder, so scripts read beside the
// code (components/*/scripts) are found. The output is rebuilt when any file it was made from
// changed, and written under another name first, so parallel runs never read a half-written file.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const OUT_DIR = path.join(ROOT, ".cache", "compiled");

/** The project's files keep their folder: `__dirname` becomes that folder as a string literal. */
const sourceFolders = {
  name: "source-folders",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = fs.readFileSync(args.path, "utf8").replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)));
      return { contents: text, loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js" };
    });
  },
};

/** Whether `output` exists and is newer than every file its metafile lists. */
function fresh(output, metafile) {
  try {
    const built = fs.statSync(output).mtimeMs;
    const inputs = Object.keys(JSON.parse(fs.readFileSync(metafile, "utf8")).inputs);
    return inputs.every((input) => fs.statSync(path.resolve(ROOT, input)).mtimeMs < built);
  } catch {
    return false;
  }
}

/** Compiles `entry` (a .ts file) into .cache/compiled/<name>.js unless that is up to date; resolves to its path. */
async function compile(entry) {
  const name = path.relative(ROOT, path.resolve(entry)).replace(/\.[cm]?ts$/, "").replace(/[\\/]/g, "--").replace(/^[.-]+/, "");
  const output = path.join(OUT_DIR, `${name}.js`);
  const metafile = `${output}.meta.json`;
  if (fresh(output, metafile)) return output;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const result = await require("esbuild").build({
    entryPoints: [path.resolve(entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    format: "cjs",
    packages: "external",
    sourcemap: "linked",
    outfile: output,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [sourceFolders],
  });
  const partial = `.${process.pid}.partial`;
  for (const file of result.outputFiles) fs.writeFileSync(file.path + partial, file.contents);
  fs.writeFileSync(metafile + partial, JSON.stringify(result.metafile));
  for (const file of result.outputFiles) fs.renameSync(file.path + partial, file.path);
  fs.renameSync(metafile + partial, metafile);
  return output;
}

/** Runs `entry` compiled, in this process, with `args` as its command-line arguments. */
async function run(entry, args) {
  const output = await compile(entry);
  process.argv = [process.argv[0], output, ...args];
  // Stack traces point into the compiled file; ONPREM_K8S_DEBUG maps them back to the sources.
  if (process.env.ONPREM_K8S_DEBUG) process.setSourceMapsEnabled(true);
  require(output);
}

module.exports = { compile };

if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error("usage: node scripts/run-compiled.js <script.ts> [args...]");
    process.exit(2);
  }
  run(entry, args).catch((error) => {
    console.error(`compiling ${entry} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
