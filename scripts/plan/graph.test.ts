import { describe, expect, it } from "vitest";
import { buildGraph, criticalPath, dependencyEdges, toDot, toMermaid, transitiveReduction } from "./graph";
import { recordedResource as resource } from "./recorded-resource.fixture";
import { MASK, maskPaths } from "./write";
import { decodeProperties } from "./monitor";

describe("plan graph", () => {
  // init -> cp2 -> cp3 (serial); init -> w1, w2 (parallel); addons wait for the whole "joins" component.
  const resources = [
    resource("joins", { custom: false }),
    resource("init"),
    resource("cp2", { dependencies: ["urn:init"], parent: "urn:joins" }),
    resource("cp3", { dependencies: ["urn:cp2"], parent: "urn:joins" }),
    resource("w1", { dependencies: ["urn:init"], parent: "urn:joins" }),
    resource("w2", { dependencies: ["urn:init"], parent: "urn:joins" }),
    resource("addons", { dependencies: ["urn:joins"] }),
  ];

  it("finds the longest chain, waiting for a component's children", () => {
    const path = criticalPath(buildGraph(resources), () => 1);
    expect(path.steps.map((s) => s.name)).toEqual(["init", "cp2", "cp3", "addons"]);
    expect(path.seconds).toBe(4);
  });

  it("does not lengthen the critical path with parallel work", () => {
    const more = [...resources, resource("w3", { dependencies: ["urn:init"], parent: "urn:joins" })];
    expect(criticalPath(buildGraph(more), () => 1).seconds).toBe(4);
  });

  it("expands dependencies on components into edges from their custom children", () => {
    const edges = dependencyEdges(buildGraph(resources)).map(([from, to]) => `${from.slice(4)}->${to.slice(4)}`);
    expect(edges).toEqual(expect.arrayContaining(["init->cp2", "cp2->cp3", "init->w1", "cp3->addons", "w1->addons", "w2->addons"]));
    expect(edges).not.toContain("w1->w2");
  });

  it("draws only the edges no longer path implies", () => {
    expect(transitiveReduction([["a", "b"], ["b", "c"], ["a", "c"], ["a", "d"]])).toEqual([["a", "b"], ["b", "c"], ["a", "d"]]);
  });

  it("renders Mermaid with subgraphs per component and DOT with clusters", () => {
    const graph = buildGraph(resources);
    expect(toMermaid(graph)).toMatch(/subgraph r0\["joins/);
    expect(toDot(graph)).toMatch(/subgraph cluster_r0/);
  });

  it("reports a dependency cycle instead of looping", () => {
    const cyclic = [resource("a", { dependencies: ["urn:b"] }), resource("b", { dependencies: ["urn:a"] })];
    expect(() => criticalPath(buildGraph(cyclic))).toThrow(/cycle/);
  });
});

describe("secret handling in plan output", () => {
  it("decodes Pulumi's secret markers and reports their paths", () => {
    const sig = "4dabf18193072939515e22adb298388d";
    const decoded = decodeProperties({ connection: { host: "10.0.0.1", privateKey: { [sig]: "1b47061264138c4ac30d75fd1eb44270", value: "KEY" } }, list: [{ [sig]: "1b47061264138c4ac30d75fd1eb44270", value: "x" }] });
    expect(decoded.secretPaths).toEqual(["connection.privateKey", "list[0]"]);
    expect(maskPaths(decoded.value, decoded.secretPaths)).toEqual({ connection: { host: "10.0.0.1", privateKey: MASK }, list: [MASK] });
  });
});
