package kubernetes

import (
	"fmt"

	"onprem-k8s/test/providers/standin"
)

// helmRelease is kubernetes:helm.sh/v3:Release, recorded as deployed: a new name or namespace
// is a new release (replace); values, version or chart changes upgrade it (the revision
// counts up), as with the real provider.
func helmRelease() standin.Record {
	return standin.Record{
		Replace:  []string{"name", "namespace"},
		Computes: []string{"status"},
		Outputs: func(req standin.Request) (string, map[string]any, error) {
			name := standin.Str(req.Inputs, "name")
			if name == "" {
				name = fmt.Sprintf("%s-%s", req.URN.Name(), standin.NewUUID()[:8])
			}
			namespace := orDefault(standin.Str(req.Inputs, "namespace"), "default")
			revision := standin.Int(standin.Obj(req.OldOutputs, "status"), "revision", 0) + 1
			version := standin.Str(req.Inputs, "version")
			if version == "" {
				version = "1.0.0"
			}
			return namespace + "/" + name, map[string]any{
				"name":      name,
				"namespace": namespace,
				"status": map[string]any{
					"name": name, "namespace": namespace, "chart": standin.Str(req.Inputs, "chart"),
					"version": version, "appVersion": version, "revision": revision, "status": "deployed",
				},
				"verify": false,
			}, nil
		},
	}
}
