// summary.md's certificates section: the window always, the dates once they are known.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planStack } from "../../test/harness";
import { certificatesMarkdown } from "./certificates";
import { writePlan } from "./write";

describe("summary.md: certificates", () => {
  it("the offline plan says the dates come after deployment, and gives the window and the order", async () => {
    const plan = await planStack("poc", (c) => (c.kubernetes.certificates = { renewBeforeDays: 45 }));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-certificates-"));
    try {
      const summary = fs.readFileSync(path.join(writePlan(plan, out).directory, "summary.md"), "utf8");
      expect(summary).toContain("## Certificates");
      expect(summary).toContain("the earliest expires after deployment (`pulumi stack output certificates`)");
      expect(summary).toContain("- Renewal window: 45 days (`kubernetes.certificates.renewBeforeDays`)");
      expect(summary).toContain("each control plane in turn (nsx-poc-cp-1 → nsx-poc-cp-2 → nsx-poc-cp-3)");
      expect(summary).toContain("re-issued by `pulumi up` within the same 45 days");
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("known dates are shown per control plane, with the start of the renewal", async () => {
    const plan = await planStack("poc");
    const lines = certificatesMarkdown(plan.spec, {
      earliestExpiry: "2027-12-06T16:20:26Z",
      renewFrom: "2027-11-06T16:20:26Z",
      adminKubeconfigExpires: "2027-12-06T16:00:00Z",
      controlPlanes: { "nsx-poc-cp-1": { expires: "2027-12-06T16:20:26Z" }, "nsx-poc-cp-2": { expires: null } },
    });
    expect(lines).toContain("- Control-plane certificates (issued by kubeadm for one year): the earliest expires 2027-12-06T16:20:26Z; renewal from 2027-11-06T16:20:26Z");
    expect(lines).toContain("  - nsx-poc-cp-1: 2027-12-06T16:20:26Z");
    expect(lines.join("\n")).not.toContain("nsx-poc-cp-2:");
    expect(lines.join("\n")).toContain("expires 2027-12-06T16:00:00Z; re-issued");
  });
});
