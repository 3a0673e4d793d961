package main

import (
	"onprem-k8s/test/providers/standin"
	"onprem-k8s/test/providers/vsphere"
)

func main() { standin.Main(vsphere.Package()) }
