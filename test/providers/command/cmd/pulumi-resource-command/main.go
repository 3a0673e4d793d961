// The "command" resource provider plugin (pulumi-resource-command) for the real-engine tests:
// the project's stand-in for pulumi-command v1.2.1, see ../../command.
package main

import (
	"onprem-k8s/test/providers/command"
	"onprem-k8s/test/providers/standin"
)

func main() {
	standin.Main(command.Package())
}
