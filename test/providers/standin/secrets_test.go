package standin

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestKeepSecretsMarksOutputsOfSecretInputs(t *testing.T) {
	inputs := resource.PropertyMap{
		"password": resource.MakeSecret(resource.NewProperty("p")),
		"nested":   resource.NewProperty(resource.PropertyMap{"key": resource.MakeSecret(resource.NewProperty("k"))}),
		"plain":    resource.NewProperty("v"),
	}
	outputs := resource.PropertyMap{
		"password": resource.NewProperty("p"),
		"nested":   resource.NewProperty(resource.PropertyMap{"key": resource.NewProperty("k")}),
		"plain":    resource.NewProperty("v"),
		"made":     resource.MakeSecret(resource.NewProperty("m")),
	}
	got := KeepSecrets(inputs, outputs)
	for _, k := range []resource.PropertyKey{"password", "nested", "made"} {
		if !got[k].ContainsSecrets() {
			t.Errorf("%s: want secret", k)
		}
	}
	if got["plain"].ContainsSecrets() {
		t.Error("plain: want plain")
	}
}

func TestSecretsSurviveTheWire(t *testing.T) {
	m := resource.PropertyMap{"s": resource.MakeSecret(resource.NewProperty("x")), "u": resource.MakeComputed(resource.NewProperty(""))}
	wire, err := marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := unmarshal(wire)
	if err != nil {
		t.Fatal(err)
	}
	if !back["s"].IsSecret() || !back["u"].ContainsUnknowns() {
		t.Fatalf("lost secret or unknown: %v", back)
	}
}

func TestPreviewOutputsAddUnknownComputedKeys(t *testing.T) {
	rec := Record{Computes: []string{"uuid", "name"}}
	out := previewOutputs(rec, resource.PropertyMap{"name": resource.NewProperty("vm")})
	if !out["uuid"].IsComputed() || out["name"].StringValue() != "vm" {
		t.Fatalf("got %v", out)
	}
}
