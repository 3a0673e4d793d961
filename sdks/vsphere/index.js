"use strict";
// Hand-written equivalent of index.ts in @pulumi/vsphere 4.17.0: lazily loaded exports, plus the
// registrations that let the Pulumi runtime rehydrate vsphere resources and providers by type token.
Object.defineProperty(exports, "__esModule", { value: true });
exports.types = exports.config = void 0;
const pulumi = require("@pulumi/pulumi");
const utilities = require("./utilities");

// Export members:
exports.ComputeClusterVmAntiAffinityRule = null;
utilities.lazyLoad(exports, ["ComputeClusterVmAntiAffinityRule"], () => require("./computeClusterVmAntiAffinityRule"));
exports.Folder = null;
utilities.lazyLoad(exports, ["Folder"], () => require("./folder"));
exports.Tag = null;
utilities.lazyLoad(exports, ["Tag"], () => require("./tag"));
exports.TagCategory = null;
utilities.lazyLoad(exports, ["TagCategory"], () => require("./tagCategory"));
exports.VirtualMachine = null;
utilities.lazyLoad(exports, ["VirtualMachine"], () => require("./virtualMachine"));
exports.getComputeCluster = null;
exports.getComputeClusterOutput = null;
utilities.lazyLoad(exports, ["getComputeCluster", "getComputeClusterOutput"], () => require("./getComputeCluster"));
exports.getDatacenter = null;
exports.getDatacenterOutput = null;
utilities.lazyLoad(exports, ["getDatacenter", "getDatacenterOutput"], () => require("./getDatacenter"));
exports.getDatastore = null;
exports.getDatastoreOutput = null;
utilities.lazyLoad(exports, ["getDatastore", "getDatastoreOutput"], () => require("./getDatastore"));
exports.getFolder = null;
exports.getFolderOutput = null;
utilities.lazyLoad(exports, ["getFolder", "getFolderOutput"], () => require("./getFolder"));
exports.getNetwork = null;
exports.getNetworkOutput = null;
utilities.lazyLoad(exports, ["getNetwork", "getNetworkOutput"], () => require("./getNetwork"));
exports.getResourcePool = null;
exports.getResourcePoolOutput = null;
utilities.lazyLoad(exports, ["getResourcePool", "getResourcePoolOutput"], () => require("./getResourcePool"));
exports.getTag = null;
exports.getTagOutput = null;
utilities.lazyLoad(exports, ["getTag", "getTagOutput"], () => require("./getTag"));
exports.getTagCategory = null;
exports.getTagCategoryOutput = null;
utilities.lazyLoad(exports, ["getTagCategory", "getTagCategoryOutput"], () => require("./getTagCategory"));
exports.getVirtualMachine = null;
exports.getVirtualMachineOutput = null;
utilities.lazyLoad(exports, ["getVirtualMachine", "getVirtualMachineOutput"], () => require("./getVirtualMachine"));
const provider_1 = require("./provider");
Object.defineProperty(exports, "Provider", { enumerable: true, get: function () { return provider_1.Provider; } });

// Export sub-modules:
exports.config = require("./config");
exports.types = require("./types");

const _module = {
    version: utilities.getVersion(),
    construct: (name, type, urn) => {
        switch (type) {
            case "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule":
                return new exports.ComputeClusterVmAntiAffinityRule(name, undefined, { urn });
            case "vsphere:index/folder:Folder":
                return new exports.Folder(name, undefined, { urn });
            case "vsphere:index/tag:Tag":
                return new exports.Tag(name, undefined, { urn });
            case "vsphere:index/tagCategory:TagCategory":
                return new exports.TagCategory(name, undefined, { urn });
            case "vsphere:index/virtualMachine:VirtualMachine":
                return new exports.VirtualMachine(name, undefined, { urn });
            default:
                throw new Error(`unknown resource type ${type}`);
        }
    },
};
pulumi.runtime.registerResourceModule("vsphere", "index/computeClusterVmAntiAffinityRule", _module);
pulumi.runtime.registerResourceModule("vsphere", "index/folder", _module);
pulumi.runtime.registerResourceModule("vsphere", "index/tag", _module);
pulumi.runtime.registerResourceModule("vsphere", "index/tagCategory", _module);
pulumi.runtime.registerResourceModule("vsphere", "index/virtualMachine", _module);
pulumi.runtime.registerResourcePackage("vsphere", {
    version: utilities.getVersion(),
    constructProvider: (name, type, urn) => {
        if (type !== "pulumi:providers:vsphere") {
            throw new Error(`unknown provider type ${type}`);
        }
        return new provider_1.Provider(name, undefined, { urn });
    },
});
