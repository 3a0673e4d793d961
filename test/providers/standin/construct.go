package standin

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// component is the empty component resource a Construct registers.
type component struct {
	pulumi.ResourceState
}

// Construct builds a multi-language component (kubernetes:yaml/v2:ConfigGroup and the like):
// an empty component of the requested type, name and parent whose outputs are
// Components[type](inputs). The real providers would register the objects as children; the
// stand-in has nothing behind them to create.
func (s *server) Construct(ctx context.Context, req *pulumirpc.ConstructRequest) (*pulumirpc.ConstructResponse, error) {
	outputsOf, ok := s.pkg.Components[req.GetType()]
	if !ok {
		return nil, fmt.Errorf("%s stand-in: unknown component type %q", s.pkg.Name, req.GetType())
	}
	inputs, err := unmarshal(req.GetInputs())
	if err != nil {
		return nil, err
	}
	outputs := PlainMap(outputsOf(inputs)).Mappable()
	return provider.Construct(ctx, req, s.host, func(pctx *pulumi.Context, typ, name string,
		_ provider.ConstructInputs, options pulumi.ResourceOption,
	) (*provider.ConstructResult, error) {
		comp := &component{}
		if err := pctx.RegisterComponentResource(typ, name, comp, options); err != nil {
			return nil, err
		}
		state := pulumi.ToMap(outputs)
		if err := pctx.RegisterResourceOutputs(comp, state); err != nil {
			return nil, err
		}
		return &provider.ConstructResult{URN: comp.URN(), State: state}, nil
	})
}
