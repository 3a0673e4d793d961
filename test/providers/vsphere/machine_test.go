package vsphere

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

func TestMachineReportsTheCloudInitAddressAndKeepsItsUUIDOnUpdate(t *testing.T) {
	meta := "instance-id: cp-1\nnetwork:\n  version: 2\n  ethernets:\n    ens192:\n      addresses: [192.168.100.11/24]\n      routes: [{to: 0.0.0.0/0, via: 192.168.100.1}]\n"
	inputs := resource.NewPropertyMapFromMap(map[string]any{
		"name":              "cp-1",
		"extraConfig":       map[string]any{"guestinfo.metadata": base64.StdEncoding.EncodeToString([]byte(meta))},
		"networkInterfaces": []any{map[string]any{"networkId": "dvportgroup-1"}},
		"clone":             map[string]any{"templateUuid": "t"},
	})
	vm := virtualMachine()
	id, out, err := vm.Create(context.Background(), standin.Request{Inputs: inputs})
	if err != nil {
		t.Fatal(err)
	}
	if standin.Str(out, "defaultIpAddress") != "192.168.100.11" || standin.Str(out, "uuid") != id {
		t.Fatalf("outputs: %v", out)
	}
	if standin.Str(standin.Objs(out, "networkInterfaces")[0], "macAddress") == "" {
		t.Error("no MAC address")
	}
	updated, err := vm.Update(context.Background(), standin.Request{ID: id, Inputs: inputs, OldOutputs: out})
	if err != nil || standin.Str(updated, "uuid") != id {
		t.Fatalf("update changed the uuid: %v %v", err, updated["uuid"])
	}
}

func TestTemplateLookupIsStable(t *testing.T) {
	fn := functions()["vsphere:index/getVirtualMachine:getVirtualMachine"]
	args := resource.NewPropertyMapFromMap(map[string]any{"name": "ubuntu-24.04-cloudinit", "datacenterId": "datacenter-1"})
	a, err := fn(context.Background(), args, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := fn(context.Background(), args, nil)
	if standin.Str(a, "id") == "" || standin.Str(a, "id") != standin.Str(b, "id") {
		t.Error("template id must be stable")
	}
	if disks := standin.Objs(a, "disks"); len(disks) != 1 || standin.Int(disks[0], "size", 0) != TemplateDiskGiB {
		t.Errorf("disks: %v", disks)
	}
}
