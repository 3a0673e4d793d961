package standin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Record is a Resource that records its inputs and computes outputs from them: enough for
// packages whose real resources live on a platform the tests do not have (vSphere, Proxmox,
// a Kubernetes API).
type Record struct {
	// Replace lists the inputs whose change replaces the resource.
	Replace []string
	// Computes lists the outputs the provider computes (unknown in a create's preview).
	Computes []string
	// Outputs returns the id and the computed outputs; the inputs are added to the outputs.
	Outputs func(req Request) (id string, outputs map[string]any, err error)
}

func (r Record) ReplaceKeys() []string  { return r.Replace }
func (r Record) ComputedKeys() []string { return r.Computes }

func (r Record) Create(_ context.Context, req Request) (string, resource.PropertyMap, error) {
	id, outputs, err := r.Outputs(req)
	if err != nil {
		return "", nil, err
	}
	return id, With(req.Inputs, outputs), nil
}

// Update keeps the computed outputs of the old state unless Outputs derives them again from
// the new inputs with the old id.
func (r Record) Update(_ context.Context, req Request) (resource.PropertyMap, error) {
	_, outputs, err := r.Outputs(req)
	if err != nil {
		return nil, err
	}
	m := req.OldOutputs.Copy()
	for k, v := range With(req.Inputs, outputs) {
		m[k] = v
	}
	return m, nil
}

func (r Record) Delete(context.Context, Request) error { return nil }

// StableHex is a hex string of n characters derived from seed: ids and UUIDs that look real and
// stay the same for the same resource (a replace gets a new URN-independent seed from the caller).
func StableHex(seed string, n int) string {
	var out string
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
		out += fmt.Sprintf("%x", sum)
	}
	return out[:n]
}

// StableUUID is a UUID-shaped StableHex.
func StableUUID(seed string) string {
	h := StableHex(seed, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// NewUUID is a random UUID (version 4), for ids a create picks.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
