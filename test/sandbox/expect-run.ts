// Assertions on a sandboxed script run, shared by the node, endpoint and control-plane script tests.
// The scripts print one `changed: ...` line per change and `no changes: ...` when there was none.
import { expect } from "vitest";
import type { RunResult } from "./node-sandbox";

export const changedLines = (r: RunResult): string[] => r.output.split("\n").filter((l) => l.startsWith("changed:"));

export function expectOk(r: RunResult): RunResult {
  expect(r.status, r.output).toBe(0);
  return r;
}

export function expectNoChange(r: RunResult): void {
  expectOk(r);
  expect(changedLines(r), r.output).toEqual([]);
  expect(r.output).toMatch(/^no changes: /m);
}
