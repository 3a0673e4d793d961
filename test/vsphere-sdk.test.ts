// Tests of the local @pulumi/vsphere subset in sdks/vsphere: under Pulumi mocks, every resource and
// invoke must reach the engine exactly as the published 4.17.0 SDK would send it (type token,
// property names, `version` option), and every declared export must exist at runtime.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "./tools/process";

// Load the SDK and @pulumi/pulumi through Node's own require, so both share one Pulumi runtime
// (the SDK is plain CommonJS and resolves @pulumi/pulumi from the project's node_modules).
const nodeRequire = createRequire(__filename);
const SDK_DIR = path.resolve(__dirname, "../sdks/vsphere");
const pulumi = nodeRequire("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
const settings = nodeRequire("@pulumi/pulumi/runtime/settings");
type Vsphere = typeof import("../sdks/vsphere");
const pkg = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "package.json"), "utf8"));
const VERSION = "4.17.0";

interface Registration {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    version: string;
    custom: boolean;
}
interface Invocation {
    token: string;
    args: Record<string, unknown>;
    version: string;
}

const registrations: Registration[] = [];
const invocations: Invocation[] = [];
const callInputs: { token: string; inputs: Record<string, unknown> }[] = [];

// Canned results for invokes, keyed by token.
const INVOKE_RESULTS: Record<string, Record<string, unknown>> = {
    "vsphere:index/getDatacenter:getDatacenter": { id: "datacenter-3", name: "dc-01", virtualMachines: [] },
    "vsphere:index/getComputeCluster:getComputeCluster": { id: "domain-c8", name: "cl-01", resourcePoolId: "resgroup-9" },
    "vsphere:index/getResourcePool:getResourcePool": { id: "resgroup-10", name: "k8s" },
    "vsphere:index/getDatastore:getDatastore": { id: "datastore-11", name: "ds-01" },
    "vsphere:index/getNetwork:getNetwork": { id: "dvportgroup-12", name: "pg-nodes", type: "DistributedVirtualPortgroup" },
    "vsphere:index/getFolder:getFolder": { id: "group-v13", path: "/dc-01/vm/k8s" },
    "vsphere:index/getTagCategory:getTagCategory": { id: "urn:cat", name: "k8s", cardinality: "MULTIPLE", description: "", associableTypes: [] },
    "vsphere:index/getTag:getTag": { id: "urn:tag", name: "poc", categoryId: "urn:cat", description: "" },
    "vsphere:index/getVirtualMachine:getVirtualMachine": {
        id: "4215a2b2-0000-0000-0000-000000000001",
        uuid: "4215a2b2-0000-0000-0000-000000000001",
        guestId: "ubuntu64Guest",
        scsiType: "pvscsi",
        firmware: "efi",
        disks: [{ label: "disk0", size: 20, thinProvisioned: true, eagerlyScrub: false, unitNumber: 0 }],
        networkInterfaceTypes: ["vmxnet3"],
    },
};

let vsphere: Vsphere;

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "vsphere:index/virtualMachine:VirtualMachine") {
                    state.defaultIpAddress = "10.0.0.21";
                    state.guestIpAddresses = ["10.0.0.21"];
                    state.uuid = `uuid-${args.name}`;
                    state.moid = `vm-${args.name}`;
                }
                return { id: `${args.name}-id`, state };
            },
            call: (args) => {
                callInputs.push({ token: args.token, inputs: args.inputs });
                return INVOKE_RESULTS[args.token] ?? {};
            },
        },
        "onprem-k8s",
        "vsphere-sdk-test",
        false,
    );
    // Wrap the mock monitor so the test sees the raw requests, including the `version` option
    // (MockMonitor does not pass it on to `newResource`/`call`).
    const monitor = settings.getMonitor();
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        registrations.push({
            type: req.getType(),
            name: req.getName(),
            inputs: pulumi.runtime.deserializeProperties(req.getObject()),
            version: req.getVersion(),
            custom: req.getCustom(),
        });
        return registerResource(req, callback);
    };
    const invoke = monitor.invoke.bind(monitor);
    monitor.invoke = (req: any, callback: any) => {
        invocations.push({
            token: req.getTok(),
            args: pulumi.runtime.deserializeProperties(req.getArgs()),
            version: req.getVersion(),
        });
        return invoke(req, callback);
    };
    vsphere = nodeRequire(SDK_DIR) as Vsphere;
});

function promiseOf<T>(o: import("@pulumi/pulumi").Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function registered(resource: import("@pulumi/pulumi").Resource, type: string, name: string): Promise<Registration> {
    await promiseOf(resource.urn);
    const r = registrations.find((x) => x.type === type && x.name === name);
    if (!r) {
        throw new Error(`${type} ${name} was not registered; saw ${registrations.map((x) => `${x.type}/${x.name}`).join(", ")}`);
    }
    return r;
}

describe("package metadata", () => {
    it("mirrors the published 4.17.0 package.json identity and plugin block", () => {
        expect(pkg.name).toBe("@pulumi/vsphere");
        expect(pkg.version).toBe(VERSION);
        expect(pkg.main).toBe("index.js");
        expect(pkg.types).toBe("index.d.ts");
        expect(pkg.pulumi).toEqual({ resource: true, name: "vsphere", version: VERSION });
        // A second copy of @pulumi/pulumi would split the runtime state: the package must use the project's.
        expect(pkg.dependencies?.["@pulumi/pulumi"]).toBeUndefined();
        expect(nodeRequire.resolve("@pulumi/pulumi", { paths: [SDK_DIR] })).toBe(nodeRequire.resolve("@pulumi/pulumi"));
    });

    it("derives resource option defaults from the package version", () => {
        const utilities = nodeRequire(path.join(SDK_DIR, "utilities.js"));
        expect(utilities.getVersion()).toBe(VERSION);
        expect(utilities.resourceOptsDefaults()).toEqual({ version: VERSION });
    });
});

describe("resources", () => {
    it("Provider registers pulumi:providers:vsphere with the real argument names and version", async () => {
        const p = new vsphere.Provider("vc", {
            user: "administrator@vsphere.local",
            password: "s3cret",
            vsphereServer: "vcenter.example.internal",
            allowUnverifiedSsl: true,
            apiTimeout: 10,
        });
        const r = await registered(p, "pulumi:providers:vsphere", "vc");
        expect(r.custom).toBe(true);
        expect(r.version).toBe(VERSION);
        expect(r.inputs).toMatchObject({
            user: "administrator@vsphere.local",
            password: "s3cret",
            vsphereServer: "vcenter.example.internal",
            // Non-string provider settings are sent JSON-encoded, as the generated SDK does.
            allowUnverifiedSsl: "true",
            apiTimeout: "10",
        });
        expect(vsphere.Provider.isInstance(p)).toBe(true);
    });

    it("VirtualMachine (template clone) registers its token, real property names and version", async () => {
        const args: import("../sdks/vsphere").VirtualMachineArgs = {
            name: "k8s-cp-1",
            resourcePoolId: "resgroup-9",
            datastoreId: "datastore-11",
            folder: "k8s/poc",
            numCpus: 4,
            numCoresPerSocket: 2,
            memory: 8192,
            guestId: "ubuntu64Guest",
            firmware: "efi",
            scsiType: "pvscsi",
            networkInterfaces: [{ networkId: "dvportgroup-12", adapterType: "vmxnet3" }],
            disks: [{ label: "disk0", size: 40, thinProvisioned: true, unitNumber: 0, eagerlyScrub: false }],
            clone: { templateUuid: "4215a2b2-0000-0000-0000-000000000001", linkedClone: false, timeout: 30 },
            extraConfig: { "guestinfo.metadata": "e30=", "guestinfo.metadata.encoding": "base64" },
            enableDiskUuid: true,
            annotation: "managed by pulumi",
            tags: ["urn:tag"],
            cpuHotAddEnabled: false,
            memoryHotAddEnabled: false,
            waitForGuestNetTimeout: 5,
            waitForGuestIpTimeout: 0,
            waitForGuestNetRoutable: true,
            ignoredGuestIps: ["10.0.0.100"],
        };
        const vm = new vsphere.VirtualMachine("k8s-cp-1", args);
        const r = await registered(vm, "vsphere:index/virtualMachine:VirtualMachine", "k8s-cp-1");
        expect(r.version).toBe(VERSION);
        expect(r.inputs).toEqual(JSON.parse(JSON.stringify(args)));
        // Provider-computed state comes back as outputs under the real names.
        expect(await promiseOf(vm.defaultIpAddress)).toBe("10.0.0.21");
        expect(await promiseOf(vm.guestIpAddresses)).toEqual(["10.0.0.21"]);
        expect(await promiseOf(vm.uuid)).toBe("uuid-k8s-cp-1");
        expect(await promiseOf(vm.moid)).toBe("vm-k8s-cp-1");
        expect(await promiseOf(vm.id)).toBe("k8s-cp-1-id");
        expect(vsphere.VirtualMachine.isInstance(vm)).toBe(true);
        expect((vm as any).__pulumiType ?? (vsphere.VirtualMachine as any).__pulumiType).toBe(
            "vsphere:index/virtualMachine:VirtualMachine",
        );
    });

    it("VirtualMachine requires resourcePoolId, like the real SDK", () => {
        expect(() => new vsphere.VirtualMachine("bad", {} as any)).toThrow("Missing required property 'resourcePoolId'");
    });

    it("ComputeClusterVmAntiAffinityRule, TagCategory, Tag and Folder register real tokens and names", async () => {
        const cat = new vsphere.TagCategory("k8s", {
            name: "k8s-cluster",
            cardinality: "MULTIPLE",
            associableTypes: ["VirtualMachine"],
            description: "cluster membership",
        });
        const tag = new vsphere.Tag("poc", { name: "poc", categoryId: cat.id, description: "poc cluster" });
        const folder = new vsphere.Folder("vmfolder", { path: "k8s/poc", type: "vm", datacenterId: "datacenter-3", tags: [tag.id] });
        const rule = new vsphere.ComputeClusterVmAntiAffinityRule("cp-spread", {
            name: "k8s-cp-anti-affinity",
            computeClusterId: "domain-c8",
            virtualMachineIds: ["uuid-a", "uuid-b", "uuid-c"],
            enabled: true,
            mandatory: false,
        });
        const cases: [import("@pulumi/pulumi").Resource, string, string, Record<string, unknown>][] = [
            [cat, "vsphere:index/tagCategory:TagCategory", "k8s",
                { name: "k8s-cluster", cardinality: "MULTIPLE", associableTypes: ["VirtualMachine"], description: "cluster membership" }],
            [tag, "vsphere:index/tag:Tag", "poc", { name: "poc", categoryId: "k8s-id", description: "poc cluster" }],
            [folder, "vsphere:index/folder:Folder", "vmfolder",
                { path: "k8s/poc", type: "vm", datacenterId: "datacenter-3", tags: ["poc-id"] }],
            [rule, "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule", "cp-spread",
                { name: "k8s-cp-anti-affinity", computeClusterId: "domain-c8", virtualMachineIds: ["uuid-a", "uuid-b", "uuid-c"], enabled: true, mandatory: false }],
        ];
        for (const [res, type, name, inputs] of cases) {
            const r = await registered(res, type, name);
            expect(r.version, type).toBe(VERSION);
            expect(r.inputs, type).toEqual(inputs);
        }
        expect(() => new vsphere.Tag("bad", {} as any)).toThrow("Missing required property 'categoryId'");
        expect(() => new vsphere.TagCategory("bad", { cardinality: "SINGLE" } as any)).toThrow("'associableTypes'");
        expect(() => new vsphere.Folder("bad", { path: "x" } as any)).toThrow("'type'");
        expect(() => new vsphere.ComputeClusterVmAntiAffinityRule("bad", { computeClusterId: "c" } as any)).toThrow("'virtualMachineIds'");
    });

    it("an explicit version option from the caller wins over the package default", async () => {
        const t = new vsphere.Tag("pinned", { categoryId: "urn:cat" }, { version: "4.16.6" });
        const r = await registered(t, "vsphere:index/tag:Tag", "pinned");
        expect(r.version).toBe("4.16.6");
    });
});

describe("invokes", () => {
    const cases: [string, string, Record<string, unknown>][] = [
        ["getDatacenter", "vsphere:index/getDatacenter:getDatacenter", { name: "dc-01" }],
        ["getComputeCluster", "vsphere:index/getComputeCluster:getComputeCluster", { name: "cl-01", datacenterId: "datacenter-3" }],
        ["getResourcePool", "vsphere:index/getResourcePool:getResourcePool", { name: "cl-01/Resources/k8s", datacenterId: "datacenter-3" }],
        ["getDatastore", "vsphere:index/getDatastore:getDatastore", { name: "ds-01", datacenterId: "datacenter-3" }],
        ["getNetwork", "vsphere:index/getNetwork:getNetwork",
            { name: "pg-nodes", datacenterId: "datacenter-3", filters: [{ networkType: "DistributedVirtualPortgroup" }] }],
        ["getFolder", "vsphere:index/getFolder:getFolder", { path: "/dc-01/vm/k8s" }],
        ["getTagCategory", "vsphere:index/getTagCategory:getTagCategory", { name: "k8s" }],
        ["getTag", "vsphere:index/getTag:getTag", { name: "poc", categoryId: "urn:cat" }],
        ["getVirtualMachine", "vsphere:index/getVirtualMachine:getVirtualMachine", { name: "templates/ubuntu-24.04", datacenterId: "datacenter-3" }],
    ];

    for (const [fn, token, args] of cases) {
        it(`${fn} (Promise form) invokes ${token} with the real argument names and version`, async () => {
            const before = invocations.length;
            const result = await (vsphere as any)[fn](args);
            expect(result).toMatchObject(INVOKE_RESULTS[token]);
            const inv = invocations.slice(before).find((i) => i.token === token);
            expect(inv, `no invoke of ${token}`).toBeDefined();
            expect(inv!.args).toEqual(args);
            expect(inv!.version).toBe(VERSION);
            expect(callInputs.some((c) => c.token === token)).toBe(true);
        });

        it(`${fn}Output (Output form) accepts Inputs and invokes ${token}`, async () => {
            const before = invocations.length;
            const outputArgs = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, pulumi.output(v)]));
            const result = await promiseOf((vsphere as any)[`${fn}Output`](outputArgs));
            expect(result).toMatchObject(INVOKE_RESULTS[token]);
            const inv = invocations.slice(before).find((i) => i.token === token);
            expect(inv, `no invoke of ${token}`).toBeDefined();
            expect(inv!.args).toEqual(args);
            expect(inv!.version).toBe(VERSION);
        });
    }

    it("functions whose arguments are all optional accept no arguments", async () => {
        const before = invocations.length;
        await vsphere.getDatacenter();
        const inv = invocations.slice(before).find((i) => i.token === "vsphere:index/getDatacenter:getDatacenter");
        expect(inv?.args).toEqual({});
    });

    it("a template looked up with getVirtualMachineOutput feeds a clone", async () => {
        const template = vsphere.getVirtualMachineOutput({ name: "templates/ubuntu-24.04", datacenterId: "datacenter-3" });
        const vm = new vsphere.VirtualMachine("k8s-w-1", {
            resourcePoolId: "resgroup-9",
            guestId: template.guestId,
            scsiType: template.scsiType,
            disks: [{ label: "disk0", size: template.disks.apply((d) => d[0].size), thinProvisioned: true }],
            clone: { templateUuid: template.uuid },
        });
        const r = await registered(vm, "vsphere:index/virtualMachine:VirtualMachine", "k8s-w-1");
        expect(r.inputs).toMatchObject({
            guestId: "ubuntu64Guest",
            scsiType: "pvscsi",
            disks: [{ label: "disk0", size: 20, thinProvisioned: true }],
            clone: { templateUuid: "4215a2b2-0000-0000-0000-000000000001" },
        });
    });
});

describe("exports", () => {
    // Value exports (classes, functions, namespaces) the declarations promise, read with the TypeScript
    // checker from one program holding every .d.ts of the package.
    const dtsFiles: string[] = [];
    for (const dir of ["", "config", "types"]) {
        for (const f of fs.readdirSync(path.join(SDK_DIR, dir))) {
            if (f.endsWith(".d.ts")) {
                dtsFiles.push(path.join(SDK_DIR, dir, f));
            }
        }
    }
    let program: ts.Program | undefined;
    function declaredValueExports(dtsFile: string): string[] {
        program ??= ts.createProgram(dtsFiles, {
            strict: true,
            noEmit: true,
            types: [],
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
        });
        const checker = program.getTypeChecker();
        const source = program.getSourceFile(dtsFile)!;
        const moduleSymbol = checker.getSymbolAtLocation(source)!;
        return checker
            .getExportsOfModule(moduleSymbol)
            .filter((s) => {
                const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
                return (target.flags & ts.SymbolFlags.Value) !== 0;
            })
            .map((s) => s.getName())
            .sort();
    }

    it("the declarations type-check on their own (strict, no lib check skipped)", async () => {
        // The real tsc in a child process with the same options as the program above: checking
        // @pulumi/pulumi's declarations in-process held the worker's event loop 17 s under load.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vsphere-dts-"));
        try {
            const compilerOptions = { strict: true, noEmit: true, types: [], module: "commonjs", moduleResolution: "node10" };
            fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: dtsFiles }));
            const tsc = await runProcess(process.execPath, [nodeRequire.resolve("typescript/bin/tsc"), "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], { allowFail: true });
            expect(tsc.output).toBe("");
            expect(tsc.status).toBe(0);
        } finally {
            await fs.promises.rm(dir, { recursive: true, force: true });
        }
    });

    it("index.js provides every value that index.d.ts declares, and nothing undeclared", () => {
        const declared = declaredValueExports(path.join(SDK_DIR, "index.d.ts"));
        const runtime = Object.keys(nodeRequire(SDK_DIR)).filter((k) => k !== "__esModule").sort();
        expect(declared.length).toBeGreaterThan(20);
        expect(runtime).toEqual(declared);
        for (const name of declared) {
            expect((vsphere as any)[name], name).toBeDefined();
        }
    });

    it("every module file provides the values its .d.ts declares", () => {
        expect(dtsFiles.length).toBeGreaterThan(15);
        for (const dts of dtsFiles) {
            const js = dts.replace(/\.d\.ts$/, ".js");
            const rel = path.relative(SDK_DIR, js);
            expect(fs.existsSync(js), js).toBe(true);
            const runtime = Object.keys(nodeRequire(js)).filter((k) => k !== "__esModule").sort();
            const declared = declaredValueExports(dts);
            if (rel === "utilities.js") {
                // Like the published package (built with stripInternal), its @internal helpers are undeclared.
                expect(runtime).toEqual(expect.arrayContaining(declared));
            } else {
                expect(runtime, rel).toEqual(declared);
            }
        }
    });

    it("the resource module registrations rehydrate every resource type by token", () => {
        const types = [
            ["vsphere:index/virtualMachine:VirtualMachine", "VirtualMachine"],
            ["vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule", "ComputeClusterVmAntiAffinityRule"],
            ["vsphere:index/tagCategory:TagCategory", "TagCategory"],
            ["vsphere:index/tag:Tag", "Tag"],
            ["vsphere:index/folder:Folder", "Folder"],
        ];
        for (const [token, cls] of types) {
            expect((vsphere as any)[cls].__pulumiType).toBe(token);
        }
        expect((vsphere.Provider as any).__pulumiType).toBe("vsphere");
    });
});
