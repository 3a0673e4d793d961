// Package random stands in for pulumi-random: RandomString, RandomPassword and RandomBytes, the
// resources the program uses.
package random

import "onprem-k8s/test/providers/standin"

// Version is the @pulumi/random the program pins.
const Version = "4.21.2"

func Package() standin.Package {
	return standin.Package{
		Name:    "random",
		Version: Version,
		Resources: map[string]standin.Resource{
			"random:index/randomString:RandomString":     randomString{},
			"random:index/randomPassword:RandomPassword": randomPassword{},
			"random:index/randomBytes:RandomBytes":       randomBytes{},
		},
	}
}
