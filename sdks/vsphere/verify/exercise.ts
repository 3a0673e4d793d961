// Uses every class, function and property the local @pulumi/vsphere subset declares, with the types
// it declares. scripts/verify-vsphere-sdk.sh type-checks this file twice: against the local package
// and against the published SDK sources; both must compile. Never executed.
import * as pulumi from "@pulumi/pulumi";
import * as vsphere from "@pulumi/vsphere";

type In<T> = pulumi.Input<T>;
const s: In<string> = pulumi.output("x");

export async function exercise(): Promise<void> {
    // Provider and its configuration.
    const providerArgs: vsphere.ProviderArgs = {
        allowUnverifiedSsl: true, apiTimeout: 5, clientDebug: false, clientDebugPath: s, clientDebugPathRun: s,
        password: s, persistSession: false, restSessionPath: s, user: s, vcenterServer: s, vimKeepAlive: 10,
        vimSessionPath: s, vsphereServer: s,
    };
    const provider = new vsphere.Provider("vc", providerArgs, { aliases: [] });
    const providerOut: pulumi.Output<string | undefined>[] = [
        provider.clientDebugPath, provider.clientDebugPathRun, provider.password, provider.restSessionPath,
        provider.user, provider.vcenterServer, provider.vimSessionPath, provider.vsphereServer,
    ];
    const tfConfig: pulumi.Output<vsphere.Provider.TerraformConfigResult> = provider.terraformConfig();
    const isProvider: boolean = vsphere.Provider.isInstance(provider);
    const cfg: [boolean | undefined, number | undefined, boolean | undefined, string | undefined, string | undefined,
        string | undefined, boolean | undefined, string | undefined, string | undefined, string | undefined,
        number | undefined, string | undefined, string | undefined] = [
        vsphere.config.allowUnverifiedSsl, vsphere.config.apiTimeout, vsphere.config.clientDebug,
        vsphere.config.clientDebugPath, vsphere.config.clientDebugPathRun, vsphere.config.password,
        vsphere.config.persistSession, vsphere.config.restSessionPath, vsphere.config.user,
        vsphere.config.vcenterServer, vsphere.config.vimKeepAlive, vsphere.config.vimSessionPath,
        vsphere.config.vsphereServer,
    ];

    // Lookups: Promise and Output forms, every declared argument and result field.
    const dcArgs: vsphere.GetDatacenterArgs = { name: "dc" };
    const dc: vsphere.GetDatacenterResult = await vsphere.getDatacenter(dcArgs, { provider });
    await vsphere.getDatacenter();
    const dcO: pulumi.Output<vsphere.GetDatacenterResult> = vsphere.getDatacenterOutput({ name: s } as vsphere.GetDatacenterOutputArgs, { provider });
    const dcFields: [string, string | undefined, string[]] = [dc.id, dc.name, dc.virtualMachines];

    const cc: vsphere.GetComputeClusterResult = await vsphere.getComputeCluster({ name: "cl", datacenterId: dc.id } as vsphere.GetComputeClusterArgs);
    const ccO = vsphere.getComputeClusterOutput({ name: s, datacenterId: dcO.id } as vsphere.GetComputeClusterOutputArgs);
    const ccFields: [string | undefined, string, string, string] = [cc.datacenterId, cc.id, cc.name, cc.resourcePoolId];
    const rpFromCluster: pulumi.Output<string> = ccO.resourcePoolId;

    const rp: vsphere.GetResourcePoolResult = await vsphere.getResourcePool({ name: "rp", datacenterId: dc.id, parentResourcePoolId: cc.resourcePoolId } as vsphere.GetResourcePoolArgs);
    await vsphere.getResourcePool();
    const rpO = vsphere.getResourcePoolOutput({ name: s, datacenterId: s, parentResourcePoolId: s } as vsphere.GetResourcePoolOutputArgs);
    const rpFields: [string | undefined, string, string | undefined, string | undefined] = [rp.datacenterId, rp.id, rp.name, rp.parentResourcePoolId];

    const ds: vsphere.GetDatastoreResult = await vsphere.getDatastore({ name: "ds", datacenterId: dc.id, stats: { a: "b" } } as vsphere.GetDatastoreArgs);
    const dsO = vsphere.getDatastoreOutput({ name: s, datacenterId: s, stats: { a: s } } as vsphere.GetDatastoreOutputArgs);
    const dsFields: [string | undefined, string, string, { [key: string]: string } | undefined] = [ds.datacenterId, ds.id, ds.name, ds.stats];

    const filter: vsphere.types.input.GetNetworkFilter = { networkType: "Network" };
    const filterArgs: vsphere.types.input.GetNetworkFilterArgs = { networkType: s };
    const net: vsphere.GetNetworkResult = await vsphere.getNetwork({ name: "pg", datacenterId: dc.id, distributedVirtualSwitchUuid: "u", filters: [filter] } as vsphere.GetNetworkArgs);
    const netO = vsphere.getNetworkOutput({ name: s, datacenterId: s, distributedVirtualSwitchUuid: s, filters: [filterArgs] } as vsphere.GetNetworkOutputArgs);
    const netFields: [string | undefined, string | undefined, vsphere.types.output.GetNetworkFilter[] | undefined, string, string, string] =
        [net.datacenterId, net.distributedVirtualSwitchUuid, net.filters, net.id, net.name, net.type];
    const netType: string | undefined = net.filters?.[0]?.networkType;

    const folderLookup: vsphere.GetFolderResult = await vsphere.getFolder({ path: "/dc/vm" } as vsphere.GetFolderArgs);
    const folderO = vsphere.getFolderOutput({ path: s } as vsphere.GetFolderOutputArgs);
    const folderFields: [string, string] = [folderLookup.id, folderLookup.path];

    const catLookup: vsphere.GetTagCategoryResult = await vsphere.getTagCategory({ name: "c", id: "i" } as vsphere.GetTagCategoryArgs);
    await vsphere.getTagCategory();
    const catO = vsphere.getTagCategoryOutput({ name: s, id: s } as vsphere.GetTagCategoryOutputArgs);
    const catFields: [string[], string, string, string | undefined, string | undefined] =
        [catLookup.associableTypes, catLookup.cardinality, catLookup.description, catLookup.id, catLookup.name];

    const tagLookup: vsphere.GetTagResult = await vsphere.getTag({ name: "t", id: "i", categoryId: "c" } as vsphere.GetTagArgs);
    await vsphere.getTag();
    const tagO = vsphere.getTagOutput({ name: s, id: s, categoryId: s } as vsphere.GetTagOutputArgs);
    const tagFields: [string | undefined, string, string | undefined, string | undefined] =
        [tagLookup.categoryId, tagLookup.description, tagLookup.id, tagLookup.name];

    const tplArgs: vsphere.GetVirtualMachineArgs = { name: "tpl", datacenterId: dc.id, folder: "f", moid: "vm-1", scsiControllerScanCount: 1, uuid: "u" };
    const tpl: vsphere.GetVirtualMachineResult = await vsphere.getVirtualMachine(tplArgs);
    await vsphere.getVirtualMachine();
    const tplO = vsphere.getVirtualMachineOutput({ name: s, datacenterId: s, folder: s, moid: s, scsiControllerScanCount: 1, uuid: s } as vsphere.GetVirtualMachineOutputArgs);
    const tplFields: [string, string | undefined, string, vsphere.types.output.GetVirtualMachineDisk[], boolean | undefined,
        boolean | undefined, string | undefined, string | undefined, string, string[], number, string, number | undefined,
        string, string | undefined, string[], vsphere.types.output.GetVirtualMachineNetworkInterface[], number | undefined,
        number | undefined, string, number | undefined, string, string[], string, string[]] = [
        tpl.annotation, tpl.datacenterId, tpl.defaultIpAddress, tpl.disks, tpl.efiSecureBootEnabled, tpl.enableDiskUuid,
        tpl.firmware, tpl.folder, tpl.guestId, tpl.guestIpAddresses, tpl.hardwareVersion, tpl.id, tpl.memory, tpl.moid,
        tpl.name, tpl.networkInterfaceTypes, tpl.networkInterfaces, tpl.numCoresPerSocket, tpl.numCpus, tpl.scsiBusSharing,
        tpl.scsiControllerScanCount, tpl.scsiType, tpl.tags, tpl.uuid, tpl.vappTransports,
    ];
    const d0 = tpl.disks[0];
    const diskFields: [boolean, string, number, boolean, number] = [d0.eagerlyScrub, d0.label, d0.size, d0.thinProvisioned, d0.unitNumber];
    const n0 = tpl.networkInterfaces[0];
    const nicFields: [string, number | undefined, number | undefined, number, string | undefined, string, string, string, string] = [
        n0.adapterType, n0.bandwidthLimit, n0.bandwidthReservation, n0.bandwidthShareCount, n0.bandwidthShareLevel,
        n0.externalPortId, n0.macAddress, n0.networkId, n0.physicalFunction,
    ];

    // Resources: every declared argument, output and static.
    const catArgs: vsphere.TagCategoryArgs = { associableTypes: ["VirtualMachine"], cardinality: "MULTIPLE", description: s, name: s };
    const cat = new vsphere.TagCategory("cat", catArgs, { provider });
    const catState: vsphere.TagCategoryState = { associableTypes: [s], cardinality: s, description: s, name: s };
    const catGot: vsphere.TagCategory = vsphere.TagCategory.get("cat", "id", catState);
    const catOut: [pulumi.Output<string[]>, pulumi.Output<string>, pulumi.Output<string | undefined>, pulumi.Output<string>, boolean] =
        [cat.associableTypes, cat.cardinality, cat.description, cat.name, vsphere.TagCategory.isInstance(catGot)];

    const tagArgs: vsphere.TagArgs = { categoryId: cat.id, description: s, name: s };
    const tag = new vsphere.Tag("tag", tagArgs);
    const tagState: vsphere.TagState = { categoryId: s, description: s, name: s };
    const tagOut: [pulumi.Output<string>, pulumi.Output<string | undefined>, pulumi.Output<string>, vsphere.Tag, boolean] =
        [tag.categoryId, tag.description, tag.name, vsphere.Tag.get("t", "id", tagState), vsphere.Tag.isInstance(tag)];

    const folderArgs: vsphere.FolderArgs = { path: "k8s", type: "vm", datacenterId: dcO.id, tags: [tag.id], customAttributes: { a: s } };
    const folder = new vsphere.Folder("f", folderArgs);
    const folderState: vsphere.FolderState = { path: s, type: s, datacenterId: s, tags: [s], customAttributes: { a: s } };
    const folderOut: [pulumi.Output<{ [key: string]: string } | undefined>, pulumi.Output<string | undefined>, pulumi.Output<string>,
        pulumi.Output<string[] | undefined>, pulumi.Output<string>, vsphere.Folder, boolean] =
        [folder.customAttributes, folder.datacenterId, folder.path, folder.tags, folder.type, vsphere.Folder.get("f", "id", folderState), vsphere.Folder.isInstance(folder)];

    const clone: vsphere.types.input.VirtualMachineClone = { templateUuid: tplO.uuid, linkedClone: false, timeout: 30 };
    const disk: vsphere.types.input.VirtualMachineDisk = {
        label: "disk0", size: 40, thinProvisioned: true, eagerlyScrub: false, unitNumber: 0, datastoreId: s,
        storagePolicyId: s, keepOnRemove: false, controllerType: "scsi",
    };
    const nic: vsphere.types.input.VirtualMachineNetworkInterface = { networkId: netO.id, adapterType: "vmxnet3", macAddress: s, useStaticMac: false };
    const vapp: vsphere.types.input.VirtualMachineVapp = { properties: { a: s } };
    const vmArgs: vsphere.VirtualMachineArgs = {
        annotation: s, clone, cpuHotAddEnabled: false, cpuReservation: 0, datacenterId: s, datastoreClusterId: s,
        datastoreId: dsO.id, disks: [disk], efiSecureBootEnabled: true, enableDiskUuid: true,
        extraConfig: { "guestinfo.userdata": s }, extraConfigRebootRequired: true, firmware: "efi", folder: folderO.path,
        forcePowerOff: true, guestId: tplO.guestId, hardwareVersion: 19, hostSystemId: s, ignoredGuestIps: [s], memory: 4096,
        memoryHotAddEnabled: false, memoryReservation: 0, name: s, networkInterfaces: [nic], numCoresPerSocket: 1, numCpus: 2,
        poweronTimeout: 300, resourcePoolId: rpFromCluster, scsiControllerCount: 1, scsiType: tplO.scsiType,
        shutdownWaitTimeout: 3, storagePolicyId: s, tags: [tag.id, tagO.description, catO.cardinality], vapp, waitForGuestIpTimeout: 0,
        waitForGuestNetRoutable: true, waitForGuestNetTimeout: 5,
    };
    const vm = new vsphere.VirtualMachine("vm", vmArgs, { provider, dependsOn: [folder] });
    const vmState: vsphere.VirtualMachineState = {
        ...vmArgs, changeVersion: s, defaultIpAddress: s, guestIpAddresses: [s], imported: false, moid: s, powerState: s,
        rebootRequired: false, uuid: s, vappTransports: [s], vmwareToolsStatus: s, vmxPath: s,
    };
    const vmGot: vsphere.VirtualMachine = vsphere.VirtualMachine.get("vm", "id", vmState);
    const vmOut: [
        pulumi.Output<string>, pulumi.Output<vsphere.types.output.VirtualMachineClone | undefined>, pulumi.Output<boolean | undefined>,
        pulumi.Output<number | undefined>, pulumi.Output<string | undefined>, pulumi.Output<string | undefined>, pulumi.Output<string>,
        pulumi.Output<vsphere.types.output.VirtualMachineDisk[]>, pulumi.Output<boolean | undefined>, pulumi.Output<boolean | undefined>,
        pulumi.Output<{ [key: string]: string } | undefined>, pulumi.Output<boolean | undefined>, pulumi.Output<string | undefined>,
        pulumi.Output<string | undefined>, pulumi.Output<boolean | undefined>, pulumi.Output<string>, pulumi.Output<number>,
        pulumi.Output<string>, pulumi.Output<string[] | undefined>, pulumi.Output<number | undefined>, pulumi.Output<boolean | undefined>,
        pulumi.Output<number | undefined>, pulumi.Output<string>, pulumi.Output<vsphere.types.output.VirtualMachineNetworkInterface[] | undefined>,
        pulumi.Output<number | undefined>, pulumi.Output<number | undefined>, pulumi.Output<number | undefined>, pulumi.Output<string>,
        pulumi.Output<number | undefined>, pulumi.Output<string | undefined>, pulumi.Output<number | undefined>, pulumi.Output<string>,
        pulumi.Output<string[] | undefined>, pulumi.Output<vsphere.types.output.VirtualMachineVapp | undefined>, pulumi.Output<number | undefined>,
        pulumi.Output<boolean | undefined>, pulumi.Output<number | undefined>,
        // output-only
        pulumi.Output<string>, pulumi.Output<string>, pulumi.Output<string[]>, pulumi.Output<boolean>, pulumi.Output<string>,
        pulumi.Output<string>, pulumi.Output<boolean>, pulumi.Output<string>, pulumi.Output<string[]>, pulumi.Output<string>,
        pulumi.Output<string>, boolean,
    ] = [
        vm.annotation, vm.clone, vm.cpuHotAddEnabled, vm.cpuReservation, vm.datacenterId, vm.datastoreClusterId, vm.datastoreId,
        vm.disks, vm.efiSecureBootEnabled, vm.enableDiskUuid, vm.extraConfig, vm.extraConfigRebootRequired, vm.firmware,
        vm.folder, vm.forcePowerOff, vm.guestId, vm.hardwareVersion, vm.hostSystemId, vm.ignoredGuestIps, vm.memory,
        vm.memoryHotAddEnabled, vm.memoryReservation, vm.name, vm.networkInterfaces, vm.numCoresPerSocket, vm.numCpus,
        vm.poweronTimeout, vm.resourcePoolId, vm.scsiControllerCount, vm.scsiType, vm.shutdownWaitTimeout, vm.storagePolicyId,
        vm.tags, vm.vapp, vm.waitForGuestIpTimeout, vm.waitForGuestNetRoutable, vm.waitForGuestNetTimeout,
        vm.changeVersion, vm.defaultIpAddress, vm.guestIpAddresses, vm.imported, vm.moid, vm.powerState, vm.rebootRequired,
        vm.uuid, vm.vappTransports, vm.vmwareToolsStatus, vm.vmxPath, vsphere.VirtualMachine.isInstance(vmGot),
    ];
    const vmNested = pulumi.all([vm.clone, vm.disks, vm.networkInterfaces, vm.vapp]).apply(([c, ds2, nics, va]) => {
        const cloneFields: [boolean | undefined, string, number | undefined] | undefined = c && [c.linkedClone, c.templateUuid, c.timeout];
        const dk = ds2[0];
        const dkFields: [string | undefined, string, string, boolean | undefined, boolean | undefined, number, string, string,
            number | undefined, string, boolean | undefined, number | undefined, string] = [
            dk.controllerType, dk.datastoreId, dk.deviceAddress, dk.eagerlyScrub, dk.keepOnRemove, dk.key, dk.label, dk.path,
            dk.size, dk.storagePolicyId, dk.thinProvisioned, dk.unitNumber, dk.uuid,
        ];
        const nk = nics?.[0];
        const nkFields: [string | undefined, string, number, string, string, boolean | undefined] | undefined =
            nk && [nk.adapterType, nk.deviceAddress, nk.key, nk.macAddress, nk.networkId, nk.useStaticMac];
        const vaProps: { [key: string]: string } | undefined = va?.properties;
        return [cloneFields, dkFields, nkFields, vaProps];
    });

    const ruleArgs: vsphere.ComputeClusterVmAntiAffinityRuleArgs = {
        computeClusterId: ccO.id, virtualMachineIds: [vm.id, vm.uuid], enabled: true, mandatory: false, name: s,
    };
    const rule = new vsphere.ComputeClusterVmAntiAffinityRule("r", ruleArgs);
    const ruleState: vsphere.ComputeClusterVmAntiAffinityRuleState = { computeClusterId: s, virtualMachineIds: [s], enabled: true, mandatory: true, name: s };
    const ruleOut: [pulumi.Output<string>, pulumi.Output<boolean | undefined>, pulumi.Output<boolean | undefined>, pulumi.Output<string>,
        pulumi.Output<string[]>, vsphere.ComputeClusterVmAntiAffinityRule, boolean] = [
        rule.computeClusterId, rule.enabled, rule.mandatory, rule.name, rule.virtualMachineIds,
        vsphere.ComputeClusterVmAntiAffinityRule.get("r", "id", ruleState), vsphere.ComputeClusterVmAntiAffinityRule.isInstance(rule),
    ];

    void [providerOut, tfConfig, isProvider, cfg, dcFields, ccFields, rpO, rpFields, dsFields, netFields, netType, folderFields,
        catFields, tagFields, tplFields, diskFields, nicFields, catOut, tagOut, folderOut, vmOut, vmNested, ruleOut];
}
