package random

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
	"onprem-k8s/test/providers/standin"
)

// randomPassword is random:index/randomPassword:RandomPassword: RandomString's rules, but as in
// the real provider its id is "none" (never the secret) and result and bcryptHash are secrets.
type randomPassword struct{ randomString }

func (randomPassword) ComputedKeys() []string { return []string{"result", "bcryptHash"} }

func (p randomPassword) Create(ctx context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	_, outputs, err := p.randomString.Create(ctx, req)
	if err != nil {
		return "", nil, err
	}
	result := outputs["result"].StringValue()
	hash, err := bcrypt.GenerateFromPassword([]byte(result), bcrypt.DefaultCost)
	if err != nil {
		return "", nil, err
	}
	outputs["result"] = resource.MakeSecret(resource.NewProperty(result))
	outputs["bcryptHash"] = resource.MakeSecret(resource.NewProperty(string(hash)))
	return "none", outputs, nil
}
