// Stand-in answers for providers under the offline plan and the tests: every resource echoes its
// inputs, plus the outputs later layers read (a VM's address, a key's PEM, a token's value).
// Values are deterministic so plans and tests are repeatable.
import { createHash, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import type { MockCallArgs, MockResourceArgs, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { parse as parseYaml } from "yaml";

function fakeText(seed: string, length: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
  let out = "";
  let counter = 0;
  while (out.length < length) {
    const digest = createHash("sha256").update(`${seed}:${counter++}`).digest();
    for (const byte of digest) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

type OutputFaker = (args: MockResourceArgs) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** A UUID-shaped id derived from a seed (vSphere VM and template UUIDs). */
function fakeUuid(seed: string): string {
  const hex = fakeText(seed, 32, "0123456789abcdef");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The static address a vSphere VM's guestinfo metadata gives it (what VMware Tools would report). */
function guestinfoAddress(inputs: Record<string, unknown>): string {
  const extraConfig = (inputs.extraConfig ?? {}) as Record<string, string>;
  const metadata = extraConfig["guestinfo.metadata"];
  if (!metadata) return "";
  const document = parseYaml(Buffer.from(metadata, "base64").toString("utf8")) as { network?: { ethernets?: Record<string, { addresses?: string[] }> } };
  const first = Object.values(document.network?.ethernets ?? {})[0]?.addresses?.[0] ?? "";
  return first.split("/")[0];
}

/** Extra outputs per resource type; layers add their own types here as they need them. */
export const resourceOutputFakers: Record<string, OutputFaker> = {
  "random:index/randomString:RandomString": (args) => ({
    result: fakeText(args.name, Number(args.inputs.length ?? 16), args.inputs.upper || args.inputs.special ? undefined : "abcdefghijklmnopqrstuvwxyz0123456789"),
  }),
  "random:index/randomPassword:RandomPassword": (args) => ({ result: fakeText(args.name, Number(args.inputs.length ?? 24)) }),
  "random:index/randomId:RandomId": (args) => ({ hex: fakeText(args.name, Number(args.inputs.byteLength ?? 8) * 2, "0123456789abcdef") }),
  "random:index/randomBytes:RandomBytes": (args) => {
    const bytes = Buffer.from(fakeText(args.name, Number(args.inputs.length ?? 32)));
    return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
  },
  // Machines (components/machines): what the providers report once a VM exists.
  "vsphere:index/virtualMachine:VirtualMachine": (args) => {
    const address = guestinfoAddress(args.inputs);
    return { uuid: fakeUuid(`vm:${args.name}`), moid: `vm-${fakeText(args.name, 4, "0123456789")}`, defaultIpAddress: address, guestIpAddresses: address ? [address] : [], powerState: "on" };
  },
  "proxmoxve:index/vmLegacy:VmLegacy": (args) => {
    const initialization = (args.inputs.initialization ?? {}) as { ipConfigs?: { ipv4?: { address?: string } }[] };
    const addresses = (initialization.ipConfigs ?? []).map((config) => (config.ipv4?.address ?? "").split("/")[0]);
    return { vmId: args.inputs.vmId, ipv4Addresses: [["127.0.0.1"], addresses] };
  },
  "proxmoxve:index/fileLegacy:FileLegacy": (args) => ({ fileName: (args.inputs.sourceRaw as { fileName?: string } | undefined)?.fileName ?? "" }),
};

// Control-plane layer (components/kubeadm): keys are real (generated here, so the discovery hash
// and anything parsing a key work); certificates are stand-in PEM blocks, which nothing parses.
// One key per kind (algorithm and size) in a process, whatever its name: the plan's keys are
// stand-ins like its certificates, and an RSA key costs 50-500 ms of a core (five keys were 0.7 s
// of a 1+2 plan's 2 s). Two plans in one process then agree (the real-engine tests derive the
// expected changes of an edit from two plans).
const keysMade = new Map<string, Promise<Record<string, unknown>>>();

function realPrivateKey(args: MockResourceArgs): Promise<Record<string, unknown>> {
  const kind = `${String(args.inputs.algorithm ?? "RSA")} ${String(args.inputs.rsaBits ?? "")} ${String(args.inputs.ecdsaCurve ?? "")}`;
  const made = keysMade.get(kind) ?? newPrivateKey(args);
  keysMade.set(kind, made);
  return made;
}

// Generated off the event loop: one RSA key took 8 s of a loaded machine, in which a test worker
// planning a stack could not answer vitest. The recorder keeps the answers in order.
const generate = promisify(generateKeyPair) as (type: string, options: object) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

async function newPrivateKey(args: MockResourceArgs): Promise<Record<string, unknown>> {
  const algorithm = String(args.inputs.algorithm ?? "RSA");
  const pair =
    algorithm === "ECDSA"
      ? await generate("ec", { namedCurve: args.inputs.ecdsaCurve === "P384" ? "P-384" : "P-256" })
      : algorithm === "ED25519"
        ? await generate("ed25519", {})
        : await generate("rsa", { modulusLength: Number(args.inputs.rsaBits ?? 2048) });
  const traditional = algorithm === "ECDSA" ? "sec1" : algorithm === "ED25519" ? "pkcs8" : "pkcs1";
  return {
    privateKeyPem: pair.privateKey.export({ type: traditional, format: "pem" }) as string,
    privateKeyPemPkcs8: pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

function standInPem(label: string, description: string): string {
  const body = Buffer.from(`offline plan stand-in ${label.toLowerCase()}: ${description}`).toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

function subjectOf(inputs: Record<string, unknown>): string {
  const subject = (inputs.subject ?? {}) as { commonName?: string; organization?: string };
  return [subject.organization && `O=${subject.organization}`, subject.commonName && `CN=${subject.commonName}`].filter(Boolean).join(",");
}

resourceOutputFakers["tls:index/privateKey:PrivateKey"] = realPrivateKey;
resourceOutputFakers["tls:index/selfSignedCert:SelfSignedCert"] = (args) => ({ certPem: standInPem("CERTIFICATE", `${args.name} ${subjectOf(args.inputs)}`) });
resourceOutputFakers["tls:index/certRequest:CertRequest"] = (args) => ({ certRequestPem: standInPem("CERTIFICATE REQUEST", `${args.name} ${subjectOf(args.inputs)}`) });
resourceOutputFakers["tls:index/locallySignedCert:LocallySignedCert"] = (args) => ({ certPem: standInPem("CERTIFICATE", args.name) });

/**
 * What a StackReference reads, by fully qualified stack name. Empty by default (a first
 * deployment); tests put a stack's "previous" outputs here (e.g. its `nodes`).
 */
export const stackReferenceOutputs = new Map<string, Record<string, unknown>>();
resourceOutputFakers["pulumi:pulumi:StackReference"] = (args) => ({
  outputs: stackReferenceOutputs.get(String(args.inputs.name ?? args.id)) ?? {},
  secretOutputNames: [],
});

export interface InvokeFaker {
  (args: MockCallArgs): Record<string, unknown>;
}

/** Answers for provider functions (data sources), keyed by token. */
export const invokeFakers: Record<string, InvokeFaker> = {
  // A template as a clone needs it: guest id, firmware, SCSI type, NIC type and disks.
  "vsphere:index/getVirtualMachine:getVirtualMachine": (args) => {
    const uuid = fakeUuid(`template:${String(args.inputs.name)}`);
    return {
      ...args.inputs,
      id: uuid,
      uuid,
      moid: "vm-1001",
      guestId: "ubuntu64Guest",
      firmware: "efi",
      scsiType: "pvscsi",
      scsiBusSharing: "noSharing",
      hardwareVersion: 21,
      networkInterfaceTypes: ["vmxnet3"],
      disks: [{ label: "Hard disk 1", size: 20, thinProvisioned: true, eagerlyScrub: false, unitNumber: 0 }],
    };
  },
  "vsphere:index/getComputeCluster:getComputeCluster": (args) => ({ ...args.inputs, id: `${String(args.inputs.name)}-id`, resourcePoolId: `${String(args.inputs.name)}-root-pool-id` }),
};

export const planMocks: Mocks = {
  async newResource(args: MockResourceArgs) {
    const faker = resourceOutputFakers[args.type];
    return {
      id: `${args.name}-id`,
      state: { ...args.inputs, ...(faker ? await faker(args) : {}) },
    };
  },
  call(args: MockCallArgs) {
    const faker = invokeFakers[args.token];
    if (faker) return faker(args);
    // Data-source lookups by name: answer with an id derived from the name asked for.
    const name = typeof args.inputs.name === "string" ? args.inputs.name : args.token.split(":").pop();
    return { ...args.inputs, id: `${name}-id` };
  },
};

// Adoption (components/kubeadm/adoption-steps.ts): what the running control plane's inspect step
// prints, its CAs' and the service-account keys real (the discovery hash is computed from the CA
// key), the certificates stand-ins, and the ClusterConfiguration of a plain `kubeadm init`.
async function adoptionReport(args: MockResourceArgs): Promise<string> {
  const key = async (name: string) => String((await realPrivateKey({ ...args, name: `${args.name}-${name}`, inputs: { algorithm: "RSA", rsaBits: 2048 } })).privateKeyPem);
  const sa = await realPrivateKey({ ...args, name: `${args.name}-sa`, inputs: { algorithm: "RSA", rsaBits: 2048 } });
  const version = /export KUBERNETES_VERSION=([0-9.]+);/.exec(String(args.inputs.stdin ?? ""))?.[1] ?? "1.34.4";
  const items: [string, string][] = [
    ["ca.crt", standInPem("CERTIFICATE", "adopted cluster CA")],
    ["ca.key", await key("ca")],
    ["sa.key", String(sa.privateKeyPem)],
    ["sa.pub", String(sa.publicKeyPem)],
    ["front-proxy-ca.crt", standInPem("CERTIFICATE", "adopted front-proxy CA")],
    ["front-proxy-ca.key", await key("front-proxy-ca")],
    ["etcd/ca.crt", standInPem("CERTIFICATE", "adopted etcd CA")],
    ["etcd/ca.key", await key("etcd-ca")],
    ["ClusterConfiguration", `apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v${version}\nnetworking:\n  serviceSubnet: 10.96.0.0/12\n`],
  ];
  return items.map(([name, body]) => `=== onprem-k8s adoption: ${name}\n${body.trimEnd()}\n=== end of adoption item ===`).join("\n");
}
resourceOutputFakers["command:remote:Command"] = async (args) => (args.name.endsWith("-adopt-inspect") ? { stdout: await adoptionReport(args) } : {});
