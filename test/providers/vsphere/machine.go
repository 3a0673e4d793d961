package vsphere

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// virtualMachine is vsphere:index/virtualMachine:VirtualMachine. As in the real provider a
// different clone source (or datacenter, datastore cluster) replaces the machine; hardware,
// placement and extraConfig changes update it.
func virtualMachine() standin.Record {
	return standin.Record{
		Replace: []string{"clone", "datacenterId", "datastoreClusterId"},
		Computes: []string{"uuid", "moid", "defaultIpAddress", "guestIpAddresses", "powerState", "vmxPath",
			"changeVersion", "hardwareVersion", "hostSystemId", "rebootRequired", "imported", "vmwareToolsStatus",
			"vappTransports", "scsiControllerCount"},
		Outputs: machineOutputs,
	}
}

func machineOutputs(req standin.Request) (string, map[string]any, error) {
	uuid := req.ID
	if uuid == "" {
		uuid = standin.NewUUID()
	}
	name := standin.Str(req.Inputs, "name")
	ip := guestAddress(req.Inputs)
	guestIPs := []any{}
	if ip != "" {
		guestIPs = append(guestIPs, ip)
	}
	return uuid, map[string]any{
		"uuid":                uuid,
		"moid":                moref("vm", uuid),
		"defaultIpAddress":    ip,
		"guestIpAddresses":    guestIPs,
		"powerState":          "on",
		"vmwareToolsStatus":   "guestToolsRunning",
		"vmxPath":             fmt.Sprintf("%s/%s.vmx", uuid[:8], name),
		"changeVersion":       time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		"hardwareVersion":     19,
		"hostSystemId":        moref("host", uuid),
		"rebootRequired":      false,
		"imported":            false,
		"vappTransports":      []any{"com.vmware.guestInfo"},
		"scsiControllerCount": 1,
		"networkInterfaces":   nicsWithMacs(req.Inputs, uuid),
		"disks":               disksWithUUIDs(req.Inputs, uuid),
	}, nil
}

var cidrAddress = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{1,3}){3})/\d{1,2}\b`)

// guestAddress is the static address cloud-init gives the guest: the first address/prefix in
// the base64 guestinfo.metadata the program writes (what VMware Tools would then report).
func guestAddress(in resource.PropertyMap) string {
	meta, err := base64.StdEncoding.DecodeString(standin.Str(standin.Obj(in, "extraConfig"), "guestinfo.metadata"))
	if err != nil {
		return ""
	}
	for _, m := range cidrAddress.FindAllStringSubmatch(string(meta), -1) {
		if m[1] != "0.0.0.0" {
			return m[1]
		}
	}
	return ""
}

func nicsWithMacs(in resource.PropertyMap, uuid string) []any {
	var out []any
	for i, nic := range standin.Objs(in, "networkInterfaces") {
		m := nic.Mappable()
		h := standin.StableHex(fmt.Sprintf("%s/nic%d", uuid, i), 6)
		m["macAddress"] = fmt.Sprintf("00:50:56:%s:%s:%s", h[0:2], h[2:4], h[4:6])
		m["deviceAddress"] = fmt.Sprintf("pci:0:%d", 7+i)
		m["key"] = 4000 + i
		out = append(out, m)
	}
	return out
}

func disksWithUUIDs(in resource.PropertyMap, uuid string) []any {
	var out []any
	for i, disk := range standin.Objs(in, "disks") {
		m := disk.Mappable()
		m["uuid"] = standin.StableUUID(fmt.Sprintf("%s/disk%d", uuid, i))
		m["deviceAddress"] = fmt.Sprintf("scsi:0:%d", standin.Int(disk, "unitNumber", i))
		m["key"] = 2000 + i
		m["path"] = fmt.Sprintf("%s/%s_%d.vmdk", uuid[:8], standin.Str(in, "name"), i)
		out = append(out, m)
	}
	return out
}

// antiAffinityRule is vsphere:index/computeClusterVmAntiAffinityRule: a rule of one cluster
// (moving it replaces it); the id is the cluster id and the rule's key, as the real provider's.
func antiAffinityRule() standin.Record {
	return standin.Record{
		Replace: []string{"computeClusterId"},
		Outputs: func(req standin.Request) (string, map[string]any, error) {
			id := req.ID
			if id == "" {
				key, _ := strconv.ParseUint(standin.StableHex(string(req.URN), 4), 16, 32)
				id = fmt.Sprintf("%s:%d", standin.Str(req.Inputs, "computeClusterId"), 100+key%900)
			}
			return id, map[string]any{}, nil
		},
	}
}
