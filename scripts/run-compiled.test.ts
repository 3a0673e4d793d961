import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../test/tools/process";
import { compile } from "./run-compiled";


const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-compiled-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runCompiled = (entry: string, ...args: string[]) =>
  runProcess(process.execPath, [path.join(__dirname, "run-compiled.js"), entry, ...args], { allowFail: true });

describe("run-compiled: TypeScript entry points as one compiled file", () => {
  it("keeps each module's __dirname as its source folder and passes the arguments on", async () => {
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "lib", "where.ts"), "export const here: string = __dirname;\n");
    fs.writeFileSync(path.join(dir, "main.ts"), 'import { here } from "./lib/where";\nconsole.log(JSON.stringify({ main: __dirname, lib: here, args: process.argv.slice(2) }));\n');
    const run = await runCompiled(path.join(dir, "main.ts"), "poc", "--out", "x");
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ main: dir, lib: path.join(dir, "lib"), args: ["poc", "--out", "x"] });
  });

  it("compiles again only when a file it was made from changed", async () => {
    const entry = path.join(dir, "again.ts");
    fs.writeFileSync(entry, 'console.log("first");\n');
    const output = await compile(entry);
    const built = fs.statSync(output).mtimeMs;
    expect(await compile(entry)).toBe(output);
    expect(fs.statSync(output).mtimeMs).toBe(built);
    fs.writeFileSync(entry, 'console.log("second");\n');
    fs.utimesSync(entry, new Date(), new Date(built + 1000));
    await compile(entry);
    expect(fs.readFileSync(output, "utf8")).toContain('"second"');
    expect((await runCompiled(entry)).stdout).toBe("second\n");
  });

  it("a syntax error names file:line:column, exit 1, no trace", async () => {
    const entry = path.join(dir, "broken.ts");
    fs.writeFileSync(entry, "const x: number = ;\n");
    const run = await runCompiled(entry);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^compiling .*broken\.ts failed: Build failed with 1 error:\n.*broken\.ts:1:18: ERROR: Unexpected ";"\n$/);
    expect(run.stderr).not.toMatch(/\n +at /);
  });
});
