package standin

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// server is one plugin instance. The engine starts one per provider (the default provider of
// the package and each explicit provider resource), so the configuration is per instance.
// Handshake, Parameterize, Attach, Call and GetMapping(s) stay unimplemented: v3.248.0 falls
// back when Handshake is unimplemented and does not need the others for these packages.
type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	pkg  Package
	host *grpc.ClientConn

	mu     sync.Mutex
	config resource.PropertyMap
}

func newServer(pkg Package, host *grpc.ClientConn) *server {
	return &server{pkg: pkg, host: host, config: resource.PropertyMap{}}
}

// The wire options: secrets, unknowns and resource references travel as they are.
var keepAll = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: false}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.pkg.Version}, nil
}

// GetSchema: a minimal schema (name and version); the engine needs no more from these plugins.
func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	schema, err := json.Marshal(map[string]string{"name": s.pkg.Name, "version": s.pkg.Version})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(schema)}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig: configuration changes update the provider, never replace it.
func (s *server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(oldInputsOf(req))
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return Diff(olds, news, nil).response(), nil
}

func (s *server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	config := resource.PropertyMap{}
	if req.GetArgs() != nil {
		args, err := unmarshal(req.GetArgs())
		if err != nil {
			return nil, err
		}
		config = args
	} else {
		// Older engines send flat variables ("pkg:config:key" -> string).
		for k, v := range req.GetVariables() {
			config[resource.PropertyKey(lastSegment(k))] = resource.NewProperty(v)
		}
	}
	s.mu.Lock()
	s.config = config
	s.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) currentConfig() resource.PropertyMap {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.config
}

func lastSegment(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == ':' {
			return key[i+1:]
		}
	}
	return key
}
