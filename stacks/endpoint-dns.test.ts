import { describe, expect, it } from "vitest";
import { stackSpec } from "../test/stack-spec";
import { endpointDnsWarnings, systemLookup } from "./endpoint-dns";

const pocSpec = (edit?: (cluster: any) => void) => stackSpec("poc", edit);

describe("endpoint.dnsName must resolve from the machine running the program", () => {
  it("warns when the name does not resolve, naming the record to create", async () => {
    const spec = pocSpec();
    const notFound = () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }));
    const [warning, ...rest] = await endpointDnsWarnings(spec, notFound);
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({
      path: "cluster.endpoint.dnsName",
      value: "api.nsx-poc.corp.example.internal",
      severity: "warning",
      problem: expect.stringMatching(/^does not resolve from this machine \(ENOTFOUND\); it is the controlPlaneEndpoint, the kubeconfig's server/),
      fix: expect.stringContaining("create a DNS record api.nsx-poc.corp.example.internal -> 192.168.100.10"),
    });
  });

  it("warns when it resolves somewhere other than the VIP", async () => {
    const [warning] = await endpointDnsWarnings(pocSpec(), async () => ["192.168.100.99"]);
    expect(warning?.problem).toBe("resolves to 192.168.100.99 from this machine, not to the API VIP 192.168.100.10");
  });

  it("is quiet when it resolves to the VIP, or when there is no DNS name", async () => {
    expect(await endpointDnsWarnings(pocSpec(), async () => ["192.168.100.10"])).toEqual([]);
    expect(await endpointDnsWarnings(pocSpec((c) => delete c.endpoint.dnsName), () => Promise.reject(new Error("not called")))).toEqual([]);
  });

  it("uses the system resolver (localhost resolves; a reserved .invalid name does not)", async () => {
    expect(await systemLookup("localhost")).toContain("127.0.0.1");
    await expect(systemLookup("no-such-host.invalid")).rejects.toBeDefined();
  });
});
