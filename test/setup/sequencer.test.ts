import { describe, expect, it } from "vitest";
import { startGroup } from "./sequencer";

describe("the order test files start in", () => {
  it("the lab's file first, the real-engine files next, every other file after them", () => {
    const files = ["/r/components/node/firewall.test.ts", "/r/test/engine/stack-poc.test.ts", "/r/test/lab-serial.test.ts", "/r/test/plan.test.ts"];
    expect([...files].sort((a, b) => startGroup(a) - startGroup(b))).toEqual([
      "/r/test/lab-serial.test.ts",
      "/r/test/engine/stack-poc.test.ts",
      "/r/components/node/firewall.test.ts",
      "/r/test/plan.test.ts",
    ]);
  });
});
