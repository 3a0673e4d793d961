package tls

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

func create(t *testing.T, r standin.Resource, inputs map[string]any) resource.PropertyMap {
	t.Helper()
	_, out, err := r.Create(context.Background(), standin.Request{Inputs: resource.NewPropertyMapFromMap(inputs)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func certOf(t *testing.T, out resource.PropertyMap) *x509.Certificate {
	t.Helper()
	cert, err := parseCert(standin.Str(out, "certPem"))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestPrivateKeyEncodingsPerAlgorithm(t *testing.T) {
	for _, in := range []map[string]any{
		{"algorithm": "RSA", "rsaBits": 2048},
		{"algorithm": "ECDSA", "ecdsaCurve": "P256"},
		{"algorithm": "ED25519"},
	} {
		out := create(t, privateKey{}, in)
		key, algorithm, err := ParsePrivateKey(standin.Str(out, "privateKeyPem"))
		if err != nil || algorithm != in["algorithm"] || key == nil {
			t.Fatalf("%v: parse privateKeyPem: %v %v", in, algorithm, err)
		}
		if _, _, err := ParsePrivateKey(standin.Str(out, "privateKeyPemPkcs8")); err != nil {
			t.Errorf("%v: pkcs8: %v", in, err)
		}
		if !out["privateKeyPem"].IsSecret() || !out["privateKeyOpenssh"].IsSecret() {
			t.Errorf("%v: private encodings must be secret", in)
		}
		if !strings.HasPrefix(standin.Str(out, "publicKeyFingerprintSha256"), "SHA256:") || !strings.Contains(standin.Str(out, "privateKeyOpenssh"), "OPENSSH PRIVATE KEY") {
			t.Errorf("%v: openssh outputs missing", in)
		}
		if block, _ := pem.Decode([]byte(standin.Str(out, "publicKeyPem"))); block == nil || block.Type != "PUBLIC KEY" {
			t.Errorf("%v: publicKeyPem", in)
		}
	}
}

func TestLocallySignedCertChainsToItsCA(t *testing.T) {
	caKey := create(t, privateKey{}, map[string]any{"algorithm": "RSA", "rsaBits": 2048})
	ca := create(t, selfSignedCert{}, map[string]any{
		"privateKeyPem": standin.Str(caKey, "privateKeyPem"), "subject": map[string]any{"commonName": "kubernetes"},
		"isCaCertificate": true, "validityPeriodHours": 87600, "allowedUses": []any{"cert_signing", "crl_signing", "digital_signature", "key_encipherment"},
	})
	caCert := certOf(t, ca)
	if !caCert.IsCA || caCert.Subject.CommonName != "kubernetes" || caCert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Fatalf("CA certificate: %+v", caCert)
	}

	adminKey := create(t, privateKey{}, map[string]any{"algorithm": "ECDSA", "ecdsaCurve": "P256"})
	csr := create(t, certRequest{}, map[string]any{
		"privateKeyPem": standin.Str(adminKey, "privateKeyPem"),
		"subject":       map[string]any{"commonName": "kubernetes-admin", "organization": "kubeadm:cluster-admins"},
		"dnsNames":      []any{"admin.example"}, "ipAddresses": []any{"10.0.0.1"},
	})
	signed := create(t, locallySignedCert{}, map[string]any{
		"certRequestPem": standin.Str(csr, "certRequestPem"), "caPrivateKeyPem": standin.Str(caKey, "privateKeyPem"),
		"caCertPem": standin.Str(ca, "certPem"), "validityPeriodHours": 8760, "earlyRenewalHours": 720,
		"allowedUses": []any{"digital_signature", "key_encipherment", "client_auth"},
	})
	cert := certOf(t, signed)
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("admin certificate does not verify against its CA: %v", err)
	}
	if cert.Subject.Organization[0] != "kubeadm:cluster-admins" || cert.DNSNames[0] != "admin.example" || cert.IPAddresses[0].String() != "10.0.0.1" {
		t.Errorf("subject or SANs not taken from the CSR: %+v", cert.Subject)
	}
	if standin.Bool(signed, "readyForRenewal", true) || standin.Str(signed, "validityEndTime") == "" || standin.Str(signed, "caKeyAlgorithm") != "RSA" {
		t.Errorf("outputs: %v", signed)
	}
}

func TestUnknownUseIsRefused(t *testing.T) {
	if _, _, err := usagesOf([]string{"server_auth", "made_up"}); err == nil {
		t.Error("want error")
	}
}

func TestCertificateDueForRenewalIsReplaced(t *testing.T) {
	news := resource.NewPropertyMapFromMap(map[string]any{"earlyRenewalHours": 720})
	soon := resource.NewPropertyMapFromMap(map[string]any{"validityEndTime": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)})
	later := resource.NewPropertyMapFromMap(map[string]any{"validityEndTime": time.Now().Add(8000 * time.Hour).UTC().Format(time.RFC3339)})
	if got := (locallySignedCert{}).MoreReplaces(nil, news, soon); len(got) != 1 {
		t.Errorf("inside the renewal window: want replace, got %v", got)
	}
	if got := (locallySignedCert{}).MoreReplaces(nil, news, later); len(got) != 0 {
		t.Errorf("outside the renewal window: want no replace, got %v", got)
	}
}
