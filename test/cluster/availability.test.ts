import { describe, expect, it } from "vitest";
import { longestOutage, type Sample } from "./availability";

const s = (t: number, ok: boolean, detail = ok ? "ok" : "refused"): Sample => ({ target: "api", t, ok, detail });

describe("longestOutage", () => {
  it("is 0 when every answer succeeded", () => {
    expect(longestOutage([s(0, true), s(500, true), s(1000, true)], "api").ms).toBe(0);
  });

  it("runs from the last success before the failures to the first success after them", () => {
    const samples = [s(0, true), s(500, false, "timeout"), s(1000, false, "refused"), s(1500, true), s(2000, false), s(2500, true)];
    expect(longestOutage(samples, "api")).toEqual({ ms: 1500, from: 0, to: 1500, detail: "timeout ... refused" });
  });

  it("counts failures up to the end as an outage, and ignores other targets and samples out of the window", () => {
    const samples = [s(0, true), s(500, true), s(1000, false), s(1500, false), { ...s(2000, false), target: "app" }, s(9000, false)];
    expect(longestOutage(samples, "api", 0, 2000).ms).toBe(1000);
    expect(longestOutage(samples, "app").ms).toBe(0);
  });

  it("sorts the samples first (answers arrive out of order)", () => {
    expect(longestOutage([s(1000, true), s(0, true), s(500, false)], "api").ms).toBe(1000);
  });
});
