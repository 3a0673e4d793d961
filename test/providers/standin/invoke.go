package standin

import (
	"context"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Invoke runs a function (data source). Its arguments arrive without secrets: lookups take
// names and ids, and the engine marks the result secret itself where an argument was.
func (s *server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	fn, ok := s.pkg.Functions[req.GetTok()]
	if !ok {
		return nil, fmt.Errorf("%s stand-in: unknown function %q", s.pkg.Name, req.GetTok())
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	result, err := fn(ctx, PlainMap(args), s.currentConfig())
	if err != nil {
		return nil, err
	}
	ret, err := marshal(result)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}
