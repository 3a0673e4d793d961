package main

import (
	"onprem-k8s/test/providers/proxmoxve"
	"onprem-k8s/test/providers/standin"
)

func main() { standin.Main(proxmoxve.Package()) }
