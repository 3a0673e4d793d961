package standin

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestDiffEqualInputsIsNoChange(t *testing.T) {
	olds := props(map[string]any{"a": "x", "n": 3, "list": []any{"p", "q"}})
	news := props(map[string]any{"a": "x", "n": 3, "list": []any{"p", "q"}})
	resp := Diff(olds, news, []string{"a"}).response()
	if resp.Changes != pulumirpc.DiffResponse_DIFF_NONE || len(resp.DetailedDiff) != 0 {
		t.Fatalf("want no change, got %v", resp)
	}
}

func TestDiffReplaceKeysReplaceOthersUpdate(t *testing.T) {
	olds := props(map[string]any{"clone": "t1", "memory": 4096, "gone": "x"})
	news := props(map[string]any{"clone": "t2", "memory": 8192, "added": true})
	resp := Diff(olds, news, []string{"clone", "added"}).response()
	if resp.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Fatalf("want changes, got %v", resp.Changes)
	}
	want := map[string]pulumirpc.PropertyDiff_Kind{
		"clone":  pulumirpc.PropertyDiff_UPDATE_REPLACE,
		"memory": pulumirpc.PropertyDiff_UPDATE,
		"gone":   pulumirpc.PropertyDiff_DELETE,
		"added":  pulumirpc.PropertyDiff_ADD_REPLACE,
	}
	for k, kind := range want {
		if got := resp.DetailedDiff[k]; got == nil || got.Kind != kind {
			t.Errorf("%s: want %v, got %v", k, kind, got)
		}
	}
	if len(resp.Replaces) != 2 || resp.Replaces[0] != "added" || resp.Replaces[1] != "clone" {
		t.Errorf("replaces: %v", resp.Replaces)
	}
}

func TestDiffUnknownIsChangeSecretIsNot(t *testing.T) {
	olds := props(map[string]any{"a": "x", "b": "y"})
	news := resource.PropertyMap{
		"a": resource.MakeComputed(resource.NewProperty("")),
		"b": resource.MakeSecret(resource.NewProperty("y")),
	}
	c := Diff(olds, news, nil)
	if _, ok := c["a"]; !ok {
		t.Error("an unknown input must count as a change")
	}
	if _, ok := c["b"]; ok {
		t.Error("making an equal value secret is not a change")
	}
}

func TestDiffNullEqualsAbsentAndInternalKeysIgnored(t *testing.T) {
	olds := resource.PropertyMap{"__defaults": resource.NewProperty([]resource.PropertyValue{})}
	news := resource.PropertyMap{"x": resource.NewNullProperty()}
	if c := Diff(olds, news, nil); len(c) != 0 {
		t.Fatalf("want no change, got %v", c)
	}
}
