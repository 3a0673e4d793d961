package random

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// randomBytes is random:index/randomBytes:RandomBytes (the Secrets encryption key). As in the real
// provider every input forces new bytes, the id is "none", and base64 and hex are secrets.
type randomBytes struct{}

func (randomBytes) ReplaceKeys() []string  { return []string{"keepers", "length"} }
func (randomBytes) ComputedKeys() []string { return []string{"base64", "hex"} }

func (randomBytes) Create(_ context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	length := standin.Int(req.Inputs, "length", 0)
	if length < 1 {
		return "", nil, fmt.Errorf("length must be at least 1, got %d", length)
	}
	bytes := make([]byte, length)
	if _, err := rand.Read(bytes); err != nil {
		return "", nil, err
	}
	outputs := standin.With(req.Inputs, map[string]any{"length": length})
	outputs["base64"] = resource.MakeSecret(resource.NewProperty(base64.StdEncoding.EncodeToString(bytes)))
	outputs["hex"] = resource.MakeSecret(resource.NewProperty(hex.EncodeToString(bytes)))
	return "none", outputs, nil
}

// Update only happens for changes outside the inputs (none): keep the old bytes.
func (randomBytes) Update(_ context.Context, req standin.Request) (resource.PropertyMap, error) {
	out := req.OldOutputs.Copy()
	for k, v := range req.Inputs {
		out[k] = v
	}
	return out, nil
}

func (randomBytes) Delete(context.Context, standin.Request) error { return nil }
