package kubernetes

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestObjectReplacedOnRenameUpdatedOnLabels(t *testing.T) {
	ns := object("v1", "Namespace", nil)
	meta := func(m map[string]any) resource.PropertyMap {
		return resource.NewPropertyMapFromMap(map[string]any{"metadata": m})
	}
	old := meta(map[string]any{"name": "velero"})
	if got := ns.MoreReplaces(old, meta(map[string]any{"name": "velero", "labels": map[string]any{"a": "b"}}), nil); len(got) != 0 {
		t.Errorf("labels: want update, got replace %v", got)
	}
	if got := ns.MoreReplaces(old, meta(map[string]any{"name": "backup"}), nil); len(got) != 1 {
		t.Errorf("rename: want replace, got %v", got)
	}
}

func TestPatchTokensAreServed(t *testing.T) {
	pkg := Package()
	if pkg.Fallback("kubernetes:crd.projectcalico.org/v1:FelixConfigurationPatch") == nil {
		t.Error("a CustomResourcePatch token must be served")
	}
	if pkg.Fallback("kubernetes:yaml/v2:ConfigGroup") != nil || pkg.Fallback("random:index/x:X") != nil {
		t.Error("components and other packages are not resources")
	}
}
