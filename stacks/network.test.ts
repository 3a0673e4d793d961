import { describe, expect, it } from "vitest";
import { addressInBlock, blockProblem, hostBits, isNetworkAddress, nthAddress, overlaps, parseBlock, perNodeBlocks, reservedAddresses } from "./network";

describe("address blocks", () => {
  it("parses addresses, CIDRs and ranges into inclusive intervals", () => {
    expect(parseBlock("10.0.0.0/30")).toMatchObject({ first: 167772160, last: 167772163 });
    expect(parseBlock("10.0.0.5-10.0.0.7")).toMatchObject({ first: 167772165, last: 167772167 });
    expect(parseBlock("255.255.255.255")).toMatchObject({ first: 4294967295, last: 4294967295 });
  });

  it("rejects malformed blocks and backwards ranges", () => {
    expect(() => parseBlock("10.0.0.300")).toThrow();
    expect(() => parseBlock("10.0.0.9-10.0.0.1")).toThrow(/ends before it starts/);
  });

  it("detects overlap and containment", () => {
    expect(overlaps(parseBlock("10.96.0.0/12"), parseBlock("10.100.0.0/16"))).toBe(true);
    expect(overlaps(parseBlock("10.244.0.0/16"), parseBlock("10.96.0.0/12"))).toBe(false);
    expect(addressInBlock("192.168.100.10", "192.168.100.0/24")).toBe(true);
    expect(addressInBlock("192.168.101.10", "192.168.100.0/24")).toBe(false);
  });

  it("finds the n-th address and network addresses", () => {
    expect(nthAddress("10.96.0.0/12", 10)).toBe("10.96.0.10");
    expect(nthAddress("10.96.0.0/12", 1)).toBe("10.96.0.1");
    expect(isNetworkAddress("10.0.0.0/8")).toBe(true);
    expect(isNetworkAddress("10.0.0.1/8")).toBe(false);
  });

  it("says why a block cannot be read, in words", () => {
    expect(blockProblem("10.0.0.1-10.0.0.9")).toBeUndefined();
    expect(blockProblem("10.0.0.0/28")).toBeUndefined();
    expect(blockProblem("10.0.0.9-10.0.0.1")).toMatch(/ends before it starts/);
    expect(blockProblem("10.0.0.1-10.0.0.300")).toBe("10.0.0.300 has the octet 300, above 255");
    expect(blockProblem("10.0.0.0/40")).toMatch(/longer than an IPv4 address/);
    // MetalLB parses a block without '-' as a CIDR: a bare address is refused there.
    expect(blockProblem("10.0.0.7")).toBe("MetalLB reads a single address only as a CIDR (10.0.0.7/32)");
    expect(blockProblem("10.0.0.7/32")).toBeUndefined();
    expect(blockProblem("010.0.0.7/32")).toMatch(/not an IPv4 address/);
  });

  it("measures blocks for kubeadm's and the CNIs' limits", () => {
    expect(hostBits("10.96.0.0/12")).toBe(20);
    expect(hostBits("fd00:10:96::/108")).toBe(20);
    expect(hostBits("fd00:10:96::/100")).toBe(28);
    expect(perNodeBlocks("10.244.0.0/16", 24)).toBe(256);
    expect(perNodeBlocks("10.244.0.0/24", 26)).toBe(4);
    expect(perNodeBlocks("10.244.0.0/25", 24)).toBe(0);
    expect(reservedAddresses("192.168.100.0/24")).toEqual({ network: "192.168.100.0", broadcast: "192.168.100.255" });
  });
});
