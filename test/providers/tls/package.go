// Package tls stands in for pulumi-tls with real keys and certificates (crypto/x509), so the
// cluster PKI the program builds is a working one.
package tls

import "onprem-k8s/test/providers/standin"

// Version is the @pulumi/tls the program pins.
const Version = "5.6.1"

func Package() standin.Package {
	return standin.Package{
		Name:    "tls",
		Version: Version,
		Resources: map[string]standin.Resource{
			"tls:index/privateKey:PrivateKey":               privateKey{},
			"tls:index/selfSignedCert:SelfSignedCert":       selfSignedCert{},
			"tls:index/certRequest:CertRequest":             certRequest{},
			"tls:index/locallySignedCert:LocallySignedCert": locallySignedCert{},
		},
	}
}
