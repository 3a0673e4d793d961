// Package kubernetes stands in for pulumi-kubernetes: the provider configuration (kubeconfig),
// core/v1 Namespace and Secret, Helm releases, patches of any custom resource kind, and the
// yaml/v2 ConfigFile and ConfigGroup components. Objects are recorded with the fields an API
// server fills in (uid, resourceVersion, status); nothing talks to a cluster.
package kubernetes

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// Version is the @pulumi/kubernetes the program pins.
const Version = "4.34.2"

func Package() standin.Package {
	return standin.Package{
		Name:    "kubernetes",
		Version: Version,
		Resources: map[string]standin.Resource{
			"kubernetes:core/v1:Namespace":  object("v1", "Namespace", nil),
			"kubernetes:core/v1:Secret":     object("v1", "Secret", []string{"type"}),
			"kubernetes:helm.sh/v3:Release": helmRelease(),
		},
		// Any other kind the program creates or patches (CustomResourcePatch tokens are
		// kubernetes:<apiVersion>:<Kind>Patch), as the real provider serves every kind.
		Fallback: func(token string) standin.Resource {
			parts := strings.Split(token, ":")
			if len(parts) != 3 || parts[0] != "kubernetes" || strings.HasPrefix(parts[1], "yaml/") {
				return nil
			}
			return object(parts[1], parts[2], nil)
		},
		Components: map[string]func(resource.PropertyMap) resource.PropertyMap{
			"kubernetes:yaml/v2:ConfigFile":  noObjects,
			"kubernetes:yaml/v2:ConfigGroup": noObjects,
		},
	}
}

// noObjects: the components' `resources` output; the stand-in registers no children.
func noObjects(resource.PropertyMap) resource.PropertyMap {
	return resource.PropertyMap{"resources": resource.NewProperty([]resource.PropertyValue{})}
}
