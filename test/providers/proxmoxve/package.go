// Package proxmoxve stands in for pulumi-proxmoxve (bpg/proxmox): the provider configuration,
// cloud-init snippets (FileLegacy) and cloned VMs (VmLegacy), recorded with the outputs a
// Proxmox VE node would give.
package proxmoxve

import "onprem-k8s/test/providers/standin"

// Version is the @muhlba91/pulumi-proxmoxve the program pins.
const Version = "8.6.0"

func Package() standin.Package {
	return standin.Package{
		Name:    "proxmoxve",
		Version: Version,
		Resources: map[string]standin.Resource{
			"proxmoxve:index/vmLegacy:VmLegacy":     vmLegacy(),
			"proxmoxve:index/fileLegacy:FileLegacy": fileLegacy(),
		},
	}
}
