// Package vsphere stands in for pulumi-vsphere: the provider configuration, virtual machines
// cloned from a template, DRS anti-affinity rules, and the inventory lookups the program makes,
// all recorded with the ids and outputs a vCenter would give.
package vsphere

import "onprem-k8s/test/providers/standin"

// Version is the @pulumi/vsphere the program pins (sdks/vsphere).
const Version = "4.17.0"

func Package() standin.Package {
	return standin.Package{
		Name:    "vsphere",
		Version: Version,
		Resources: map[string]standin.Resource{
			"vsphere:index/virtualMachine:VirtualMachine":                                     virtualMachine(),
			"vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule": antiAffinityRule(),
		},
		Functions: functions(),
	}
}
