// No import from a lower layer of components/ to a higher one (test/layers.ts has the order).
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { importSpecifiers, layerOf, LAYERS, readSources, upwardImports } from "./layers";

const ROOT = path.resolve(__dirname, "..");

describe("layers", () => {
  it("no module imports from a layer above its own", () => {
    const found = upwardImports(readSources(ROOT, ["stacks", "components"]));
    expect(found.map((v) => `${v.file} imports ${v.imports} (${v.from} -> ${v.to})`)).toEqual([]);
  });

  it("places every module of components/ in a layer", () => {
    const outside = [...readSources(ROOT, ["components"]).keys()].filter((file) => layerOf(file) === undefined);
    expect(outside).toEqual([]);
  });

  it("finds an upward import, and allows downward and same-layer ones", () => {
    const files = new Map([
      ["components/machines/reachable.ts", 'import { renderEnvPrefix } from "../node/params";\n'],
      ["components/endpoint/index.ts", 'import type { PreparedNode } from "../node";\nimport { x } from "./configs";\n'],
      ["components/kubeadm/index.ts", 'export {\n  kubeletClusterDns,\n} from "../addons/plan";\n'],
      ["stacks/spec.ts", 'const cluster = require("../components/cluster");\n'],
    ]);
    expect(upwardImports(files).map((v) => `${v.file} -> ${v.to}`)).toEqual([
      "components/machines/reachable.ts -> components/node",
      "components/kubeadm/index.ts -> components/addons",
      "stacks/spec.ts -> components/cluster.ts",
    ]);
  });

  it("reads every form of import, not commented ones", () => {
    const source = [
      'import * as fs from "node:fs";',
      'import type { A } from "./a";',
      'import {\n  b,\n  c,\n} from "./b";',
      'export { d } from "./d";',
      'export * from "./e";',
      'import "./f";',
      'const g = await import("./g");',
      'const h = require("./h");',
      '// import { z } from "./commented";',
      "/* import { y } from './block'; */",
    ].join("\n");
    expect(importSpecifiers(source).sort()).toEqual(["./a", "./b", "./d", "./e", "./f", "./g", "./h", "node:fs"]);
  });

  it("orders the layers from the description up to the Cluster component", () => {
    expect(LAYERS[0]).toEqual(["stacks"]);
    expect(LAYERS.at(-1)).toEqual(["components/cluster.ts", "components/destroy-guard.ts"]);
  });
});
