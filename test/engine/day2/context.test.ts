// journeyGroups: which groups of the day-2 journey a run goes through.
import { describe, expect, it } from "vitest";
import { JOURNEY_GROUPS, journeyGroups } from "./context";

describe("journeyGroups", () => {
  it("runs every group unless told where to stop", () => {
    expect(journeyGroups(undefined)).toEqual([...JOURNEY_GROUPS]);
    expect(journeyGroups("")).toEqual([...JOURNEY_GROUPS]);
  });

  it("stops after the named group, keeping the order", () => {
    expect(journeyGroups("upgrade")).toEqual(["upgrade"]);
    expect(journeyGroups("hardening")).toEqual(["upgrade", "renewal", "hardening"]);
    // The add-ons after hardening (its Pod Security) and acceptance, before the backups' restore.
    expect(journeyGroups("addons")).toEqual(["upgrade", "renewal", "hardening", "growth", "node-operations", "acceptance", "addons"]);
    expect(journeyGroups("backups")).toEqual([...JOURNEY_GROUPS]);
    expect(JOURNEY_GROUPS.at(-1)).toBe("backups");
  });

  it("refuses a name that is no group, listing the groups", () => {
    expect(() => journeyGroups("harden")).toThrow(/ONPREM_K8S_DAY2_UNTIL=harden names no group.*upgrade, renewal, hardening/);
  });
});
