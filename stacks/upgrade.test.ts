import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "./stack-file";
import { validateCluster } from "./validate";
import { compareVersions, dayOneVersion, upgradePending, versionChangeProblems, versionHistoryOf, type VersionHistory } from "./upgrade";

const history = (previous: string | undefined, nodes: Record<string, string> = {}): VersionHistory => ({
  ...(previous ? { previous } : {}),
  nodes: new Map(Object.entries(nodes)),
});
const CPS = ["cp-1", "cp-2", "cp-3"];
const atPrevious = (version: string) => history(version, Object.fromEntries([...CPS, "w-1"].map((n) => [n, version])));

describe("version history from the previous outputs", () => {
  it("reads the cluster version and each node's installed version, any shape tolerated", () => {
    const read = versionHistoryOf({
      kubernetesVersion: "1.34.3",
      nodes: [
        { name: "cp-1", role: "control-plane", address: "10.0.0.1", packagesVersion: "1.34.2" },
        { name: "w-1", role: "worker", address: "10.0.0.2" },
        { name: 7 },
        null,
      ],
    });
    expect(read.previous).toBe("1.34.3");
    expect([...read.nodes]).toEqual([
      ["cp-1", "1.34.2"],
      ["w-1", "1.34.3"],
    ]);
    expect(versionHistoryOf({})).toEqual({ nodes: new Map() });
    // outputs from before versions were recorded: nothing known, nothing pending
    const old = versionHistoryOf({ nodes: [{ name: "cp-1", role: "control-plane", address: "10.0.0.1" }] });
    expect(old).toEqual({ nodes: new Map() });
    expect(upgradePending(old, "1.34.4")).toBe(false);
  });

  it("renders an existing node at the version it was installed at, a new one at the target", () => {
    const h = history("1.34.3", { "cp-1": "1.34.3" });
    expect(dayOneVersion(h, "cp-1", "1.34.4")).toBe("1.34.3");
    expect(dayOneVersion(h, "w-9", "1.34.4")).toBe("1.34.4");
    expect(upgradePending(h, "1.34.4")).toBe(true);
    expect(upgradePending(h, "1.34.3")).toBe(false);
  });

  it("orders versions numerically", () => {
    expect(compareVersions("1.34.10", "1.34.9")).toBeGreaterThan(0);
    expect(compareVersions("v1.34.4", "1.34.4")).toBe(0);
    expect(compareVersions("1.9.0", "1.34.0")).toBeLessThan(0);
  });
});

describe("version changes refused before any resource", () => {
  it("lets a first deployment, the same version, a patch and the next minor through", () => {
    expect(versionChangeProblems(history(undefined), "1.34.4", CPS)).toEqual([]);
    expect(versionChangeProblems(atPrevious("1.34.4"), "1.34.4", CPS)).toEqual([]);
    expect(versionChangeProblems(atPrevious("1.34.3"), "1.34.4", CPS)).toEqual([]);
    expect(versionChangeProblems(atPrevious("1.33.6"), "1.34.4", CPS)).toEqual([]);
    // the same version with a new control plane is an ordinary join
    expect(versionChangeProblems(atPrevious("1.34.4"), "1.34.4", [...CPS, "cp-4"])).toEqual([]);
  });

  it("refuses a downgrade, naming cluster.kubernetes.version and the running version", () => {
    const [problem, ...rest] = versionChangeProblems(atPrevious("1.34.4"), "1.34.3", CPS);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: "cluster.kubernetes.version", value: "1.34.3", severity: "error" });
    expect(problem!.problem).toMatch(/runs Kubernetes 1\.34\.4.*cannot take a cluster back to 1\.34\.3/);
    expect(problem!.fix).toMatch(/set cluster\.kubernetes\.version back to 1\.34\.4/);
    expect(versionChangeProblems(atPrevious("1.34.0"), "1.33.6", CPS)[0]!.problem).toMatch(/cannot take a cluster back/);
  });

  it("refuses a skipped minor with the minor to go through first", () => {
    const [problem] = versionChangeProblems(atPrevious("1.33.6"), "1.35.4", CPS);
    expect(problem).toMatchObject({ path: "cluster.kubernetes.version", value: "1.35.4" });
    expect(problem!.problem).toMatch(/runs 1\.33\.6: going to 1\.35 skips 1\.34/);
    expect(problem!.fix).toMatch(/upgrade to a 1\.34\.x release first/);
  });

  it("refuses control planes added in the same update as a version change", () => {
    const [problem] = versionChangeProblems(atPrevious("1.34.3"), "1.34.4", [...CPS, "cp-4"]);
    expect(problem).toMatchObject({ path: "cluster.controlPlane.addresses", value: ["cp-4"] });
    expect(problem!.fix).toMatch(/first upgrade with the current control planes/);
  });
});

describe("kubernetes.upgrade.workerBatchSize in the description", () => {
  const described = (profile: "poc" | "prod", upgrade?: unknown) => {
    const cluster = structuredClone(readStackFile(profile, path.resolve(__dirname, "..")).cluster) as any;
    if (upgrade !== undefined) cluster.kubernetes.upgrade = upgrade;
    return validateCluster(cluster, { secretsPresent: new Set(), planMode: true });
  };

  it("comes from the profile: prod 1, poc 2", () => {
    const [prod, poc] = [described("prod"), described("poc")];
    expect(prod.ok && prod.spec.kubernetes.upgrade.workerBatchSize).toBe(1);
    expect(poc.ok && poc.spec.kubernetes.upgrade.workerBatchSize).toBe(2);
  });

  it("refuses a batch that is not a positive whole number, naming the field", () => {
    for (const bad of [0, 1.5, "two"]) {
      const result = described("prod", { workerBatchSize: bad });
      expect(result.ok).toBe(false);
      // only errors: the shipped prod stack also draws warnings (ingress-nginx retired, 1.34 past end of life)
      if (!result.ok) expect(result.problems.filter((p) => p.severity === "error").map((p) => p.path)).toEqual(["cluster.kubernetes.upgrade.workerBatchSize"]);
    }
    const typo = described("prod", { workerBatch: 2 });
    expect(typo.ok).toBe(false);
  });

  it("warns when a prod upgrade would drain every worker at once", () => {
    const result = described("prod", { workerBatchSize: 3 });
    expect(result.ok).toBe(true);
    if (result.ok) {
      const batch = result.warnings.filter((w) => w.path.includes("workerBatchSize"));
      expect(batch).toEqual([expect.objectContaining({ path: "cluster.kubernetes.upgrade.workerBatchSize", value: 3 })]);
      expect(batch[0]!.problem).toMatch(/drains all 3 workers at once/);
    }
    const fine = described("prod", { workerBatchSize: 2 });
    expect(fine.ok && fine.warnings.filter((w) => w.path.includes("workerBatchSize"))).toEqual([]);
  });
});
