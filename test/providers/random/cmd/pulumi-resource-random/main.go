package main

import (
	"onprem-k8s/test/providers/random"
	"onprem-k8s/test/providers/standin"
)

func main() { standin.Main(random.Package()) }
