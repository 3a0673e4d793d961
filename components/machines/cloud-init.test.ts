// cloud-init renderers: the documents' content, and every user-data the stack files and their
// variants render checked by the installed cloud-init (`cloud-init schema --config-file`), with
// a deliberately broken user-data proving the check can fail. Network configs go through
// cloud-init's own parser and renderers (`cloud-init devel net-convert`).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { readStackFile } from "../../stacks/stack-file";
import { validateCluster } from "../../stacks/validate";
import { runProcess } from "../../test/tools/process";
import type { ClusterSpec } from "../../stacks/spec";
import { guestAgentFor, guestinfoExtraConfig, machineCloudInit, renderNetworkConfig, renderUserData, renderVsphereMetadata, type MachinePlatform } from "./cloud-init";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "machines-cloud-init-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function cloudInitSchema(userData: string, name: string): Promise<{ ok: boolean; output: string }> {
  const file = path.join(work, `${name}.yaml`);
  fs.writeFileSync(file, userData);
  const run = await runProcess("cloud-init", ["schema", "--config-file", file], { allowFail: true }).catch((error: Error) => {
    throw new Error(`cloud-init is not runnable: ${error.message} (Debian: apt-get install cloud-init)`);
  });
  return { ok: run.status === 0 && /Valid cloud-config/.test(run.stdout), output: `${run.stdout}${run.stderr}` };
}

function specOf(stack: string, mutate?: (c: any) => void): ClusterSpec {
  const cluster = structuredClone(readStackFile(stack, path.resolve(__dirname, "../.."))).cluster as any;
  mutate?.(cluster);
  const result = validateCluster(cluster, { secretsPresent: new Set(), planMode: true });
  if (!result.ok) throw new Error(`${stack} does not validate`);
  return result.spec;
}

const base = {
  hostname: "k8s-node1",
  adminUser: "wizard",
  authorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk8Jq3w2vB7rL0c9pXy4Zt1sM6nQe5uRk2aD8fGh1Tj wizard@devvm"],
  osFamily: "ubuntu" as const,
};

describe("renderUserData", () => {
  it("sets the hostname and one admin user with the keys, no passwords, no root login", () => {
    const text = renderUserData({ ...base, guestAgent: guestAgentFor("vsphere") });
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(parse(text)).toEqual({
      hostname: "k8s-node1",
      preserve_hostname: false,
      users: [{ name: "wizard", gecos: expect.any(String), shell: "/bin/bash", sudo: "ALL=(ALL) NOPASSWD:ALL", lock_passwd: true, ssh_authorized_keys: base.authorizedKeys }],
      disable_root: true,
      ssh_pwauth: false,
    });
  });

  it("installs and starts qemu-guest-agent on Proxmox; open-vm-tools comes with a vSphere template", () => {
    const proxmox = parse(renderUserData({ ...base, guestAgent: guestAgentFor("proxmox") }));
    expect(proxmox.packages).toEqual(["qemu-guest-agent"]);
    expect(proxmox.runcmd).toEqual([["systemctl", "start", "qemu-guest-agent"]]);
    expect(guestAgentFor("vsphere")).toEqual({ package: "open-vm-tools", install: false });
  });

  it("lets the first-boot install through the site's proxy (apt key, or a dnf.conf line)", () => {
    const proxy = { http: "http://proxy.corp:3128" };
    expect(parse(renderUserData({ ...base, guestAgent: guestAgentFor("proxmox"), proxy })).apt).toEqual({ http_proxy: proxy.http, https_proxy: proxy.http });
    const dnf = parse(renderUserData({ ...base, osFamily: "redos", guestAgent: guestAgentFor("proxmox"), proxy }));
    expect(dnf.write_files).toEqual([{ path: "/etc/dnf/dnf.conf", append: true, content: "proxy=http://proxy.corp:3128\n" }]);
  });

  it("refuses to render a user nobody can log in as", () => {
    expect(() => renderUserData({ ...base, authorizedKeys: [], guestAgent: guestAgentFor("vsphere") })).toThrow(/at least one SSH public key/);
  });
});

describe("network config, metadata and guestinfo", () => {
  const network = renderNetworkConfig({ interface: "ens192", address: "192.168.100.11", prefixLength: 24, gateway: "192.168.100.1", dnsServers: ["192.168.1.53"], searchDomains: ["corp.example.internal"], mtu: 1500 });

  it("renders a static v2 config for the node's interface", () => {
    expect(network).toEqual({
      version: 2,
      ethernets: {
        ens192: { dhcp4: false, dhcp6: false, addresses: ["192.168.100.11/24"], routes: [{ to: "0.0.0.0/0", via: "192.168.100.1" }], nameservers: { addresses: ["192.168.1.53"], search: ["corp.example.internal"] }, mtu: 1500 },
      },
    });
  });

  it.each([
    ["ubuntu", "netplan", "50-cloud-init.yaml", /192\.168\.100\.11\/24/],
    ["rhel", "sysconfig", "ifcfg-ens192", /IPADDR=192\.168\.100\.11/],
  ])("cloud-init's own renderer turns it into %s configuration", async (distro, kind, file, expected) => {
    const input = path.join(work, `network-${distro}.yaml`);
    const out = path.join(work, `net-${distro}`);
    fs.writeFileSync(input, stringify(network));
    const run = await runProcess("cloud-init", ["devel", "net-convert", "-p", input, "-k", "yaml", "-D", distro, "-O", kind, "-d", out], { allowFail: true });
    expect(run.status, run.stderr).toBe(0);
    const rendered = (await runProcess("grep", ["-r", "", out], { allowFail: true })).stdout;
    expect(rendered).toContain(file);
    expect(rendered).toMatch(expected);
    expect(rendered).toMatch(/192\.168\.100\.1/);
  });

  it("puts identity and network into the VMware datasource metadata", () => {
    expect(parse(renderVsphereMetadata("nsx-poc-cp-1", network))).toEqual({ "instance-id": "nsx-poc-cp-1", "local-hostname": "nsx-poc-cp-1", network });
  });

  it("encodes user-data and metadata as base64 guestinfo keys that decode to the documents", () => {
    const keys = guestinfoExtraConfig("#cloud-config\nhostname: a\n", "instance-id: a\n");
    expect(keys).toEqual({
      "guestinfo.metadata": Buffer.from("instance-id: a\n").toString("base64"),
      "guestinfo.metadata.encoding": "base64",
      "guestinfo.userdata": Buffer.from("#cloud-config\nhostname: a\n").toString("base64"),
      "guestinfo.userdata.encoding": "base64",
    });
  });
});

describe("cloud-init schema check of every rendered user-data", () => {
  const cases: { name: string; spec: () => ClusterSpec; platform: MachinePlatform }[] = [
    { name: "poc", spec: () => specOf("poc"), platform: "vsphere" },
    { name: "prod", spec: () => specOf("prod"), platform: "vsphere" },
    { name: "redos-proxy", spec: () => specOf("examples/redos-proxy-calico-metallb-nfs.yaml"), platform: "vsphere" },
    { name: "proxmox", spec: () => specOf("examples/proxmox-keepalived-calico-nfs.yaml"), platform: "proxmox" },
    { name: "proxmox-apt-proxy", spec: () => specOf("examples/proxmox-keepalived-calico-nfs.yaml", (c) => (c.proxy = { http: "http://proxy.lab:3128" })), platform: "proxmox" },
    {
      name: "proxmox-dnf-proxy",
      spec: () => specOf("examples/proxmox-keepalived-calico-nfs.yaml", (c) => {
        c.os = { family: "rhel", version: "9" };
        c.proxy = { http: "http://proxy.lab:3128" };
      }),
      platform: "proxmox",
    },
  ];

  it.each(cases)("$name: every node's user-data is valid cloud-config", async ({ name, spec, platform }) => {
    const resolved = spec();
    for (const node of resolved.nodes) {
      const { userData } = machineCloudInit(resolved, node, platform);
      const result = await cloudInitSchema(userData, `${name}-${node.name}`);
      expect(result.ok, `${name}/${node.name}:\n${result.output}\n${userData}`).toBe(true);
    }
  });

  it.each([
    ["a misspelt user key", (text: string) => text.replace("lock_passwd:", "lock_pwd:"), /users\.0/],
    ["a list where a boolean belongs", (text: string) => text.replace("ssh_pwauth: false", "ssh_pwauth: [false]"), /ssh_pwauth/],
    ["packages as a map", (text: string) => `${text}packages: {qemu-guest-agent: latest}\n`, /packages/],
  ])("fails a user-data with %s", async (_, breakIt, message) => {
    const good = renderUserData({ ...base, guestAgent: guestAgentFor("vsphere") });
    const result = await cloudInitSchema(breakIt(good), `broken-${message.source.replace(/\W/g, "")}`);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(message);
  });
});
