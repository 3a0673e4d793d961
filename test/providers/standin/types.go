// Package standin is the shared core of the project's test providers: Pulumi resource provider
// plugins that stand in, in the real-engine tests, for the providers the Go module proxy refuses
// (command, random, tls, vsphere, proxmoxve) and for kubernetes. Each plugin keeps the real
// package's name, tokens and input/output shapes; what it does behind them is its own.
package standin

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Request is one operation on one resource, as the engine asked for it.
type Request struct {
	URN resource.URN
	// ID is empty for Create.
	ID string
	// Inputs are the checked new inputs (Create, Update) or the last inputs (Delete).
	Inputs resource.PropertyMap
	// OldInputs and OldOutputs are the state before an Update or Delete.
	OldInputs  resource.PropertyMap
	OldOutputs resource.PropertyMap
	// Preview is true when the engine only plans (unknown inputs may be present).
	Preview bool
	// Config is the provider's configuration (the package's provider resource inputs).
	Config resource.PropertyMap
	// Log sends a line to the engine's log for this resource (shown by `pulumi up`).
	Log func(severity LogSeverity, message string)
}

type LogSeverity int

const (
	LogInfo LogSeverity = iota
	LogWarning
	LogError
)

// Resource is one resource type of a package.
type Resource interface {
	// ReplaceKeys lists the top-level input properties whose change replaces the resource
	// (as the real provider's schema says); a change of any other input is an update.
	ReplaceKeys() []string
	// Create returns the new id and all outputs (inputs included, as real providers return them).
	Create(ctx context.Context, req Request) (id string, outputs resource.PropertyMap, err error)
	// Update returns the new outputs.
	Update(ctx context.Context, req Request) (resource.PropertyMap, error)
	// Delete removes the resource.
	Delete(ctx context.Context, req Request) error
}

// Function is an invoke (a data source such as vsphere:index/getDatacenter:getDatacenter).
type Function func(ctx context.Context, args resource.PropertyMap, config resource.PropertyMap) (resource.PropertyMap, error)

// Package is what one plugin binary serves.
type Package struct {
	// Name as in the tokens ("command", "random", ...); the binary is pulumi-resource-<Name>.
	Name string
	// Version the plugin reports (the npm SDK's version the program pins).
	Version string
	// Resources by type token, e.g. "command:remote:Command".
	Resources map[string]Resource
	// Functions by token, e.g. "vsphere:index/getDatacenter:getDatacenter".
	Functions map[string]Function
	// Components by type token that the provider constructs (kubernetes:yaml/v2:ConfigGroup):
	// registered as an empty component whose outputs are Outputs(inputs).
	Components map[string]func(inputs resource.PropertyMap) resource.PropertyMap
	// Fallback, when set, serves resource types not in Resources (the kubernetes provider serves
	// any custom resource kind, e.g. kubernetes:crd.projectcalico.org/v1:FelixConfigurationPatch);
	// it returns nil for a type the package does not have.
	Fallback func(token string) Resource
}
