package standin

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Computed is optionally implemented by a Resource whose provider computes outputs: in a
// preview of a create they are unknown, so the program sees them as "known after apply".
type Computed interface {
	ComputedKeys() []string
}

// Previewer is optionally implemented by a Resource that decides its own preview outputs (for
// a create, req.ID is empty; for an update, req.OldOutputs holds the state). Without it a
// create previews as its inputs plus unknown ComputedKeys, an update as the old outputs with
// the new inputs.
type Previewer interface {
	Preview(ctx context.Context, req Request) (resource.PropertyMap, error)
}

// Replacer is optionally implemented by a Resource whose replacement also depends on more than
// top-level inputs (a nested field such as metadata.name, or time: a certificate due for
// renewal). It returns the top-level keys to report as replacing, given old inputs, new
// inputs and old outputs.
type Replacer interface {
	MoreReplaces(olds, news, oldOutputs resource.PropertyMap) []string
}

// Check accepts the inputs as given (secrets and unknowns included); validation is the
// program's own business and the tests'.
func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if _, err := s.resourceOf(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	res, err := s.resourceOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(oldInputsOf(req))
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	changes := Diff(olds, news, res.ReplaceKeys())
	if r, ok := res.(Replacer); ok {
		oldOutputs, err := unmarshal(req.GetOlds())
		if err != nil {
			return nil, err
		}
		changes.forceReplace(r.MoreReplaces(olds, news, oldOutputs))
	}
	return changes.response(), nil
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	res, err := s.resourceOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	r := s.request(resource.URN(req.GetUrn()), "", inputs, req.GetPreview())
	var id string
	var outputs resource.PropertyMap
	if p, ok := res.(Previewer); ok && req.GetPreview() {
		if outputs, err = p.Preview(ctx, r); err != nil {
			return nil, err
		}
	} else if req.GetPreview() {
		outputs = previewOutputs(res, inputs)
	} else {
		id, outputs, err = res.Create(ctx, r)
		if err != nil {
			return nil, initFailed(id, inputs, outputs, err)
		}
	}
	props, err := marshal(KeepSecrets(inputs, outputs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	res, err := s.resourceOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	oldInputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	oldOutputs, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	r := s.request(resource.URN(req.GetUrn()), req.GetId(), news, req.GetPreview())
	r.OldInputs, r.OldOutputs = oldInputs, oldOutputs
	var outputs resource.PropertyMap
	if p, ok := res.(Previewer); ok && req.GetPreview() {
		if outputs, err = p.Preview(ctx, r); err != nil {
			return nil, err
		}
	} else if req.GetPreview() {
		// Computed outputs keep their values; the new inputs show through.
		outputs = oldOutputs.Copy()
		for k, v := range news {
			outputs[k] = v
		}
	} else if outputs, err = res.Update(ctx, r); err != nil {
		return nil, initFailed(req.GetId(), news, outputs, err)
	}
	props, err := marshal(KeepSecrets(news, outputs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	res, err := s.resourceOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	outputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	r := s.request(resource.URN(req.GetUrn()), req.GetId(), inputs, false)
	r.OldInputs, r.OldOutputs = inputs, outputs
	return &emptypb.Empty{}, res.Delete(ctx, r)
}

// Read (refresh, import) returns the stored state: nothing drifts behind a stand-in's back.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// previewOutputs: the inputs, plus the provider-computed outputs as unknowns.
func previewOutputs(res Resource, inputs resource.PropertyMap) resource.PropertyMap {
	outputs := inputs.Copy()
	if c, ok := res.(Computed); ok {
		for _, k := range c.ComputedKeys() {
			if _, set := outputs[resource.PropertyKey(k)]; !set {
				outputs[resource.PropertyKey(k)] = resource.MakeComputed(resource.NewProperty(""))
			}
		}
	}
	return outputs
}

func (s *server) request(urn resource.URN, id string, inputs resource.PropertyMap, preview bool) Request {
	return Request{URN: urn, ID: id, Inputs: inputs, Preview: preview, Config: s.currentConfig(), Log: s.logger(urn)}
}

// resourceOf finds the implementation of a type token; the type is taken from the URN when
// an older engine leaves the request's type empty.
func (s *server) resourceOf(typ, urn string) (Resource, error) {
	if typ == "" && urn != "" {
		typ = string(resource.URN(urn).Type())
	}
	if res, ok := s.pkg.Resources[typ]; ok {
		return res, nil
	}
	if s.pkg.Fallback != nil {
		if res := s.pkg.Fallback(typ); res != nil {
			return res, nil
		}
	}
	return nil, fmt.Errorf("%s stand-in: unknown resource type %q", s.pkg.Name, typ)
}

func oldInputsOf(req *pulumirpc.DiffRequest) *structpb.Struct {
	if req.GetOldInputs() != nil {
		return req.GetOldInputs()
	}
	return req.GetOlds()
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, keepAll)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, keepAll)
}
