package main

import (
	"onprem-k8s/test/providers/kubernetes"
	"onprem-k8s/test/providers/standin"
)

func main() { standin.Main(kubernetes.Package()) }
