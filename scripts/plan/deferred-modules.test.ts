import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { deferredModule } from "./deferred-modules";

describe("deferred modules of the plan process", () => {
  it("loads the real module on first use only, and behaves as it under __importStar and default imports", () => {
    let loads = 0;
    const real = { Arborist: class {}, answer: 42 };
    const module = deferredModule(() => {
      loads += 1;
      return real;
    });
    expect(module.__esModule).toBe(true);
    expect(loads).toBe(0);
    expect(module.answer).toBe(42);
    expect(module.default).toBe(real);
    expect("Arborist" in module).toBe(true);
    expect(Object.keys(module)).toEqual(["Arborist", "answer"]);
    expect(loads).toBe(1);
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deferred-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("loading @pulumi/pulumi after it, in a compiled entry, leaves arborist and TypeScript unloaded until used", async () => {
    const script = path.join(dir, "probe.ts");
    fs.writeFileSync(
      script,
      [
        `import "${path.join(__dirname, "deferred-modules")}";`,
        `import * as pulumi from "@pulumi/pulumi";`,
        `const loaded = (name: string) => Object.keys(require.cache).some((file) => file.includes(\`/node_modules/\${name}/\`));`,
        `const before = { arborist: loaded("@npmcli/arborist"), typescript: loaded("typescript"), pulumi: typeof pulumi.Output };`,
        `const ts = require("typescript");`,
        `console.log(JSON.stringify({ before, version: typeof ts.version, after: loaded("typescript") }));`,
      ].join("\n"),
    );
    // Compiled, as the plan runs (tsx's own loader reads every export of what it loads).
    const run = await runProcess(process.execPath, [path.join(__dirname, "../run-compiled.js"), script]);
    expect(JSON.parse(run.stdout)).toEqual({ before: { arborist: false, typescript: false, pulumi: "function" }, version: "string", after: true });
  });
});
