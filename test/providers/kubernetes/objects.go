package kubernetes

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// object is a Kubernetes object as the API server returns it: the given fields, metadata
// completed (name, namespace, uid, resourceVersion, creationTimestamp), the kind's status, and
// for a Secret its data (stringData encoded, secret). The id is [namespace/]name.
func object(apiVersion, kind string, replace []string) kubeObject {
	return kubeObject{standin.Record{
		Replace:  replace,
		Computes: []string{"status"},
		Outputs: func(req standin.Request) (string, map[string]any, error) {
			meta := standin.Obj(req.Inputs, "metadata").Mappable()
			name, _ := meta["name"].(string)
			if name == "" {
				// Auto-naming, as the real provider: the resource name and a random suffix.
				name = fmt.Sprintf("%s-%s", req.URN.Name(), standin.NewUUID()[:8])
				if req.ID != "" {
					name = lastPart(req.ID)
				}
			}
			meta["name"] = name
			uid := standin.StableUUID(string(req.URN) + "/" + name)
			meta["uid"] = uid
			meta["resourceVersion"] = fmt.Sprint(1000 + time.Now().Unix()%100000)
			meta["creationTimestamp"] = time.Now().UTC().Format(time.RFC3339)
			id := name
			if ns, _ := meta["namespace"].(string); ns != "" {
				id = ns + "/" + name
			} else if kind != "Namespace" && !strings.HasSuffix(kind, "Patch") {
				meta["namespace"] = "default"
				id = "default/" + name
			}
			out := map[string]any{"apiVersion": strings.TrimPrefix(apiVersion, "core/"), "kind": strings.TrimSuffix(kind, "Patch"), "metadata": meta}
			switch kind {
			case "Namespace":
				out["spec"] = map[string]any{"finalizers": []any{"kubernetes"}}
				out["status"] = map[string]any{"phase": "Active"}
			case "Secret":
				out["type"] = orDefault(standin.Str(req.Inputs, "type"), "Opaque")
				out["data"] = resource.MakeSecret(resource.NewPropertyValue(secretData(req.Inputs)))
			}
			return id, out, nil
		},
	}}
}

// kubeObject is a recorded object that, as with the real provider, is replaced when its name
// or namespace changes (other metadata, such as labels, updates it).
type kubeObject struct{ standin.Record }

func (kubeObject) MoreReplaces(olds, news, _ resource.PropertyMap) []string {
	o, n := standin.Obj(olds, "metadata"), standin.Obj(news, "metadata")
	for _, k := range []string{"name", "namespace"} {
		if standin.Str(o, k) != standin.Str(n, k) {
			return []string{"metadata"}
		}
	}
	return nil
}

// secretData is what the API server stores for a Secret: data plus stringData, base64.
func secretData(in resource.PropertyMap) map[string]any {
	data := map[string]any{}
	for k, v := range standin.Obj(in, "data") {
		if v.IsString() {
			data[string(k)] = v.StringValue()
		}
	}
	for k, v := range standin.Obj(in, "stringData") {
		if v.IsString() {
			data[string(k)] = base64.StdEncoding.EncodeToString([]byte(v.StringValue()))
		}
	}
	return data
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func lastPart(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}
