import { describe, expect, it } from "vitest";
import { durationTable, planDurations, STEP_DURATIONS, stepKind } from "./durations";
import type { RecordedResource } from "./monitor";

function resource(name: string, type: string, opts: Partial<RecordedResource> = {}): RecordedResource {
  return { urn: `urn:${name}`, type, name, custom: true, protect: false, dependencies: [], inputs: {}, secretPaths: [], additionalSecretOutputs: [], ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, ...opts };
}
const COMMAND = "command:remote:Command";

describe("step durations", () => {
  it("every figure says where it comes from: the lab, or a stated estimate", () => {
    for (const [kind, d] of Object.entries(STEP_DURATIONS)) expect(d.source, kind).toMatch(/^(lab|estimate|held by Pulumi)/);
    // What only a platform shows is never presented as measured.
    for (const kind of ["vm:vsphere", "vm:proxmox", "boot", "helm-release"] as const) expect(STEP_DURATIONS[kind].source).toMatch(/^estimate/);
  });

  it("knows a step's kind by its name's end, longest first, and by its type", () => {
    expect(stepKind({ type: COMMAND, name: "nsx-poc-cp-1-kubernetes-packages" })).toBe("prepare:kubernetes-packages");
    expect(stepKind({ type: COMMAND, name: "w-1-upgrade-drain", upgrading: true })).toBe("upgrade:worker");
    expect(stepKind({ type: COMMAND, name: "w-1-upgrade-drain" })).toBe("upgrade:none");
    expect(stepKind({ type: "command:local:Command", name: "nsx-poc-check-from-here" })).toBe("local-check");
    expect(stepKind({ type: COMMAND, name: "cp-2-upgrade", upgrading: true })).toBe("upgrade:control-plane");
    expect(stepKind({ type: COMMAND, name: "cp-2-join", controlPlaneJoin: true })).toBe("join:control-plane");
    expect(stepKind({ type: COMMAND, name: "w-1-join" })).toBe("join:worker");
    expect(stepKind({ type: COMMAND, name: "cp-1-reachable", afterVm: true })).toBe("boot");
    expect(stepKind({ type: COMMAND, name: "metallb-webhook-ready" })).toBe("gate");
    expect(stepKind({ type: COMMAND, name: "something-else" })).toBe("command");
    expect(stepKind({ type: "kubernetes:helm.sh/v3:Release", name: "cilium" })).toBe("helm-release");
    expect(stepKind({ type: "kubernetes:yaml/v2:ConfigGroup", name: "metallb-config" })).toBe("manifests");
    expect(stepKind({ type: "kubernetes:core/v1:Secret", name: "s" })).toBe("kubernetes-object");
    expect(stepKind({ type: "tls:index/privateKey:PrivateKey", name: "ca-key" })).toBe("held");
    expect(stepKind({ type: "vsphere:index/virtualMachine:VirtualMachine", name: "cp-1" })).toBe("vm:vsphere");
  });

  it("reads a plan's join role and upgrade action from the step's parameters, and a VM's boot from its dependency", () => {
    const vm = resource("cp-1", "vsphere:index/virtualMachine:VirtualMachine");
    const resources = [
      vm,
      resource("cp-1-reachable", COMMAND, { dependencies: [vm.urn] }),
      resource("cp-2-join", COMMAND, { inputs: { stdin: "export JOIN_ROLE=control-plane; ..." } }),
      resource("w-1-join", COMMAND, { inputs: { stdin: "export JOIN_ROLE=worker; ..." } }),
      resource("w-1-upgrade", COMMAND, { inputs: { stdin: "export UPGRADE_ACTION=worker; ..." } }),
      resource("addons", "onprem-k8s:addons:Addons", { custom: false }),
      resource("metallb-config", "kubernetes:yaml/v2:ConfigGroup", { custom: false }),
    ];
    const kinds = (upgrading: boolean) => Object.fromEntries([...planDurations(resources, { upgrading }).entries()].map(([urn, d]) => [urn.slice(4), d.kind]));
    expect(kinds(false)).toEqual({ "cp-1": "vm:vsphere", "cp-1-reachable": "boot", "cp-2-join": "join:control-plane", "w-1-join": "join:worker", "w-1-upgrade": "upgrade:none", "metallb-config": "manifests" });
    expect(kinds(true)["w-1-upgrade"]).toBe("upgrade:worker");
  });

  it("a measured figure replaces the table's", () => {
    const table = durationTable({ init: { seconds: 20, source: "lab run up.log" } });
    expect(table.init).toEqual({ seconds: 20, source: "lab run up.log" });
    expect(table.pki).toEqual(STEP_DURATIONS.pki);
  });
});
