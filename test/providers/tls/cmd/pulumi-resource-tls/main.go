package main

import (
	"onprem-k8s/test/providers/standin"
	"onprem-k8s/test/providers/tls"
)

func main() { standin.Main(tls.Package()) }
