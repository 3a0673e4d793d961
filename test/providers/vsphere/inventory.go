package vsphere

import (
	"context"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// moref is a managed object reference id such as "datastore-1234", the same for the same name.
func moref(prefix, name string) string {
	n, _ := strconv.ParseUint(standin.StableHex(prefix+"/"+name, 6), 16, 32)
	return fmt.Sprintf("%s-%d", prefix, 1000+n%9000)
}

func lookup(f func(args resource.PropertyMap) (map[string]any, error)) standin.Function {
	return func(_ context.Context, args, _ resource.PropertyMap) (resource.PropertyMap, error) {
		out, err := f(args)
		if err != nil {
			return nil, err
		}
		return standin.With(args, out), nil
	}
}

func required(args resource.PropertyMap, key, fn string) (string, error) {
	if v := standin.Str(args, key); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("%s: %s is required", fn, key)
}

// TemplateDiskGiB is the system disk of the template getVirtualMachine finds: smaller than
// every profile's diskGiB, so full clones grow it.
const TemplateDiskGiB = 40

func functions() map[string]standin.Function {
	return map[string]standin.Function{
		"vsphere:index/getDatacenter:getDatacenter": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name := standin.Str(a, "name")
			return map[string]any{"id": moref("datacenter", name), "virtualMachines": []any{}}, nil
		}),
		"vsphere:index/getComputeCluster:getComputeCluster": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name, err := required(a, "name", "getComputeCluster")
			return map[string]any{"id": moref("domain-c", name), "resourcePoolId": moref("resgroup", name)}, err
		}),
		"vsphere:index/getResourcePool:getResourcePool": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name := standin.Str(a, "name")
			return map[string]any{"id": moref("resgroup", name), "parentResourcePoolId": moref("resgroup", "parent/"+name)}, nil
		}),
		"vsphere:index/getDatastore:getDatastore": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name, err := required(a, "name", "getDatastore")
			return map[string]any{"id": moref("datastore", name), "stats": map[string]any{}}, err
		}),
		"vsphere:index/getNetwork:getNetwork": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name, err := required(a, "name", "getNetwork")
			return map[string]any{"id": moref("dvportgroup", name), "type": "DistributedVirtualPortgroup",
				"distributedVirtualSwitchUuid": standin.StableUUID("dvs/" + name)}, err
		}),
		"vsphere:index/getFolder:getFolder": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			path, err := required(a, "path", "getFolder")
			return map[string]any{"id": moref("group-v", path)}, err
		}),
		"vsphere:index/getTagCategory:getTagCategory": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name, err := required(a, "name", "getTagCategory")
			return map[string]any{
				"id":              "urn:vmomi:InventoryServiceCategory:" + standin.StableUUID("category/"+name) + ":GLOBAL",
				"associableTypes": []any{"VirtualMachine"}, "cardinality": "SINGLE", "description": "",
			}, err
		}),
		"vsphere:index/getTag:getTag": lookup(func(a resource.PropertyMap) (map[string]any, error) {
			name, err := required(a, "name", "getTag")
			category := standin.Str(a, "categoryId")
			return map[string]any{"id": "urn:vmomi:InventoryServiceTag:" + standin.StableUUID("tag/"+category+"/"+name) + ":GLOBAL", "description": ""}, err
		}),
		"vsphere:index/getVirtualMachine:getVirtualMachine": lookup(template),
	}
}

// template is what getVirtualMachine reports for the cloud-init template the program clones.
func template(a resource.PropertyMap) (map[string]any, error) {
	name := standin.Str(a, "name")
	if name == "" && standin.Str(a, "uuid") == "" && standin.Str(a, "moid") == "" {
		return nil, fmt.Errorf("getVirtualMachine: one of name, uuid or moid is required")
	}
	uuid := standin.StableUUID("template/" + name)
	return map[string]any{
		"id": uuid, "uuid": uuid, "moid": moref("vm", "template/"+name),
		"guestId": "ubuntu64Guest", "firmware": "efi", "hardwareVersion": 19,
		"scsiType": "pvscsi", "scsiBusSharing": "noSharing", "scsiControllerScanCount": 1,
		"numCpus": 2, "numCoresPerSocket": 1, "memory": 2048, "annotation": "",
		"efiSecureBootEnabled": false, "enableDiskUuid": true,
		"disks":                 []any{map[string]any{"label": "Hard disk 1", "size": TemplateDiskGiB, "thinProvisioned": true, "eagerlyScrub": false, "unitNumber": 0}},
		"networkInterfaceTypes": []any{"vmxnet3"},
		"networkInterfaces": []any{map[string]any{"adapterType": "vmxnet3", "bandwidthLimit": -1, "bandwidthReservation": 0,
			"bandwidthShareCount": 50, "bandwidthShareLevel": "normal", "macAddress": "00:50:56:00:00:01", "networkId": moref("dvportgroup", "template")}},
		"defaultIpAddress": "", "guestIpAddresses": []any{}, "tags": []any{}, "vappTransports": []any{"com.vmware.guestInfo"},
	}, nil
}
