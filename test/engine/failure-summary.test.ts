// failureSummary: what an engine test's error shows of a failed pulumi command. The error lines
// with their context come first; a step's retries are progress and never crowd them out.
import { describe, expect, it } from "vitest";
import { failureSummary } from "./workspace";

describe("failureSummary", () => {
  it("shows the error lines with their context and skips a step's retries", () => {
    const retries = Array.from({ length: 40 }, (_, i) => ` +  command:remote:Command cp-1-adopt-endpoint creating (${i * 2}s) attempt ${i + 1}/45 failed, retrying in 2s: pod_stopped`);
    const output = [...retries, "Diagnostics:", "  command:remote:Command (cp-1-adopt-endpoint):", "    error: Process exited with status 1: the apiserver did not come back", "Resources:", "    1 errored"].join("\n");
    const summary = failureSummary(output);
    expect(summary).toContain("error: Process exited with status 1: the apiserver did not come back");
    // (at most as the error's context)
    expect(summary.split("\n...\n")[0]!.match(/retrying in/g)?.length ?? 0).toBeLessThanOrEqual(3);
  });
});
