// journeyGroups: which groups of the day-2 journey a run goes through.
import { describe, expect, it } from "vitest";
import { JOURNEY_GROUPS, SAMPLE_GROUPS, journeyGroups } from "./context";

describe("journeyGroups", () => {
  it("runs every group unless told where to stop", () => {
    expect(journeyGroups(undefined)).toEqual([...JOURNEY_GROUPS]);
    expect(journeyGroups("")).toEqual([...JOURNEY_GROUPS]);
  });

  it("stops after the named group, keeping the order", () => {
    expect(journeyGroups("upgrade")).toEqual(["upgrade"]);
    expect(journeyGroups("hardening")).toEqual(["upgrade", "renewal", "endpoint", "hardening"]);
    // The add-ons after hardening (its Pod Security) and acceptance, before the backups' restore.
    expect(journeyGroups("addons")).toEqual(["upgrade", "renewal", "endpoint", "hardening", "growth", "node-operations", "acceptance", "addons"]);
    expect(journeyGroups("backups")).toEqual([...JOURNEY_GROUPS]);
    expect(JOURNEY_GROUPS.at(-1)).toBe("backups");
  });

  it("the default suite's sample is the first groups, in the journey's order", () => {
    expect(journeyGroups(SAMPLE_GROUPS.at(-1))).toEqual([...SAMPLE_GROUPS]);
  });

  it("starts at the named group", () => {
    expect(journeyGroups("acceptance", "growth")).toEqual(["growth", "node-operations", "acceptance"]);
    expect(journeyGroups(undefined, "backups")).toEqual(["backups"]);
    expect(() => journeyGroups("growth", "backups")).toThrow(/ONPREM_K8S_DAY2_FROM=backups comes after ONPREM_K8S_DAY2_UNTIL=growth/);
    expect(() => journeyGroups(undefined, "grow")).toThrow(/ONPREM_K8S_DAY2_FROM=grow names no group/);
  });

  it("refuses a name that is no group, listing the groups", () => {
    expect(() => journeyGroups("harden")).toThrow(/ONPREM_K8S_DAY2_UNTIL=harden names no group.*upgrade, renewal, endpoint, hardening/);
  });
});
