import { describe, expect, it } from "vitest";
import { KUBERNETES_RELEASES, TESTED_KUBERNETES_VERSION, isReleasedPatch, latestPatchOf, oldestSupportedMinor, parseKubernetesVersion, supportStatus } from "./kubernetes-releases";
import { SUPPORTED_KUBERNETES_MINORS } from "./schema";

describe("Kubernetes release list", () => {
  it("covers every minor the program renders for, and the tested version is a released patch", () => {
    for (const minor of SUPPORTED_KUBERNETES_MINORS) expect(KUBERNETES_RELEASES[minor], minor).toBeDefined();
    expect(isReleasedPatch(TESTED_KUBERNETES_VERSION)).toBe(true);
  });

  it("knows which patches exist where it covers the minor, and says so where it does not", () => {
    expect(isReleasedPatch("1.34.0")).toBe(true);
    expect(isReleasedPatch("1.34.6")).toBe(true);
    expect(isReleasedPatch("1.34.99")).toBe(false);
    expect(isReleasedPatch("1.30.15")).toBe(false);
    expect(isReleasedPatch("1.38.0")).toBeUndefined();
    expect(isReleasedPatch("v1.34.4")).toBe(false);
    expect(latestPatchOf("1.30")).toBe("1.30.14");
    expect(parseKubernetesVersion("1.34")).toBeUndefined();
  });

  it("judges upstream support on a given day (end of life is the last supported day)", () => {
    expect(supportStatus("1.30.14", "2026-12-06")).toEqual({ status: "end-of-life", endOfLife: "2025-07-15" });
    expect(supportStatus("1.34.4", "2026-10-27")).toEqual({ status: "supported", endOfLife: "2026-10-27" });
    expect(supportStatus("1.34.4", "2026-10-28")).toEqual({ status: "end-of-life", endOfLife: "2026-10-27" });
    expect(supportStatus("1.35", "2026-12-06")).toEqual({ status: "supported", endOfLife: "2027-02-28" });
    expect(supportStatus("2.0.0", "2026-12-06")).toEqual({ status: "unknown" });
    expect(oldestSupportedMinor("2026-12-06")).toBe("1.35");
  });
});
