import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonArrayLines, renderSvg, SVG_MAX_STEPS } from "./write";

const DOT = 'digraph plan { a [label="a"]; b [label="b"]; a -> b; }\n';
const hasDot = (process.env.PATH ?? "").split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, "dot")));

describe("graph.svg", () => {
  it.skipIf(!hasDot)("is graphviz's drawing of graph.dot", () => {
    const rendered = renderSvg(DOT, 2);
    expect(rendered.note).toBe("graph.svg written");
    expect(rendered.svg).toContain("<svg");
  });

  it("is left out past the size graphviz lays out in reasonable time, without running it, and says so", () => {
    const rendered = renderSvg(DOT, SVG_MAX_STEPS + 1, "dot-must-not-run");
    expect(rendered.svg).toBeUndefined();
    expect(rendered.note).toBe(`graph.svg skipped: ${SVG_MAX_STEPS + 1} steps, more than graphviz lays out in reasonable time (${SVG_MAX_STEPS}); graph.dot has them`);
  });

  it("says graphviz is missing only when it is, and otherwise why dot failed", () => {
    expect(renderSvg(DOT, 2, "dot-not-installed-here")).toEqual({ note: "graph.svg skipped: graphviz `dot` not installed" });
    // A program that refuses dot's -Tsvg: its own message is the reason.
    const failing = renderSvg(DOT, 2, "sh");
    expect(failing.svg).toBeUndefined();
    expect(failing.note).toMatch(/^graph\.svg skipped: dot failed: .*-T/);
  });
});

describe("resources.json, written one resource at a time", () => {
  it("is exactly the text of the whole array's JSON.stringify with two spaces", () => {
    const items = [{ a: 1, b: { c: ["x", "y\nz"], d: {} } }, { e: [], f: null, g: "multi\nline" }, { h: [{ i: 2 }] }];
    for (const list of [items, items.slice(0, 1), []]) {
      expect([...jsonArrayLines(list, (item) => item)].join("")).toBe(`${JSON.stringify(list, null, 2)}\n`);
    }
    expect([...jsonArrayLines([1, 2], (n) => ({ n }))].join("")).toBe(`${JSON.stringify([{ n: 1 }, { n: 2 }], null, 2)}\n`);
  });
});
