package standin

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const testType = "test:index/thing:Thing"

// renamer replaces on a nested change, as a Replacer.
type renamer struct{ Record }

func (renamer) MoreReplaces(olds, news, _ resource.PropertyMap) []string {
	if Str(Obj(olds, "meta"), "name") != Str(Obj(news, "meta"), "name") {
		return []string{"meta"}
	}
	return nil
}

func testServer() *server {
	rec := Record{Computes: []string{"uuid"}, Outputs: func(req Request) (string, map[string]any, error) {
		return "id-1", map[string]any{"uuid": "u-1", "token": resource.MakeSecret(resource.NewProperty("t"))}, nil
	}}
	return newServer(Package{Name: "test", Version: "1.0.0", Resources: map[string]Resource{testType: renamer{rec}}}, nil)
}

func wire(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := marshal(resource.NewPropertyMapFromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateKeepsSecretsAndPreviewsComputedOutputs(t *testing.T) {
	s := testServer()
	inputs := resource.PropertyMap{"password": resource.MakeSecret(resource.NewProperty("p"))}
	props, _ := marshal(inputs)
	resp, err := s.Create(context.Background(), &pulumirpc.CreateRequest{Type: testType, Properties: props})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := unmarshal(resp.GetProperties())
	if resp.GetId() != "id-1" || !out["password"].IsSecret() || !out["token"].IsSecret() || out["uuid"].StringValue() != "u-1" {
		t.Fatalf("create: %v %v", resp.GetId(), out)
	}
	preview, err := s.Create(context.Background(), &pulumirpc.CreateRequest{Type: testType, Properties: props, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := unmarshal(preview.GetProperties()); !out["uuid"].IsComputed() {
		t.Fatalf("preview: uuid should be unknown, got %v", out["uuid"])
	}
}

func TestDiffUsesTheReplacerHook(t *testing.T) {
	s := testServer()
	olds := wire(t, map[string]any{"meta": map[string]any{"name": "a", "labels": map[string]any{"x": "1"}}})
	relabel := wire(t, map[string]any{"meta": map[string]any{"name": "a", "labels": map[string]any{"x": "2"}}})
	rename := wire(t, map[string]any{"meta": map[string]any{"name": "b"}})
	resp, err := s.Diff(context.Background(), &pulumirpc.DiffRequest{Type: testType, OldInputs: olds, Olds: olds, News: relabel})
	if err != nil || len(resp.GetReplaces()) != 0 || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME {
		t.Fatalf("relabel: want update, got %v %v", resp, err)
	}
	resp, _ = s.Diff(context.Background(), &pulumirpc.DiffRequest{Type: testType, OldInputs: olds, Olds: olds, News: rename})
	if len(resp.GetReplaces()) != 1 || resp.GetDetailedDiff()["meta"].GetKind() != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Fatalf("rename: want replace, got %v", resp)
	}
}

type previewing struct{ Record }

func (previewing) Preview(_ context.Context, req Request) (resource.PropertyMap, error) {
	if !req.Preview {
		return nil, nil
	}
	return resource.PropertyMap{"planned": resource.NewProperty(req.ID == "")}, nil
}

func TestPreviewerDecidesPreviewOutputs(t *testing.T) {
	s := newServer(Package{Name: "test", Resources: map[string]Resource{testType: previewing{}}}, nil)
	resp, err := s.Create(context.Background(), &pulumirpc.CreateRequest{Type: testType, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := unmarshal(resp.GetProperties()); !out["planned"].BoolValue() {
		t.Fatalf("preview outputs: %v", out)
	}
}
