package tls

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// Every certificate input forces a new certificate, as in the real provider, except
// earlyRenewalHours (an update that only moves readyForRenewal).
var (
	certOutputs     = []string{"certPem", "keyAlgorithm", "readyForRenewal", "validityStartTime", "validityEndTime"}
	selfSignedKeys  = []string{"privateKeyPem", "subject", "validityPeriodHours", "allowedUses", "isCaCertificate", "dnsNames", "ipAddresses", "uris", "setSubjectKeyId", "setAuthorityKeyId", "maxPathLength"}
	certRequestKeys = []string{"privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"}
	locallySigned   = []string{"certRequestPem", "caPrivateKeyPem", "caCertPem", "validityPeriodHours", "allowedUses", "isCaCertificate", "setSubjectKeyId", "maxPathLength"}
)

type selfSignedCert struct{}
type certRequest struct{}
type locallySignedCert struct{}

func (selfSignedCert) ReplaceKeys() []string    { return selfSignedKeys }
func (selfSignedCert) ComputedKeys() []string   { return certOutputs }
func (certRequest) ReplaceKeys() []string       { return certRequestKeys }
func (certRequest) ComputedKeys() []string      { return []string{"certRequestPem", "keyAlgorithm"} }
func (locallySignedCert) ReplaceKeys() []string { return locallySigned }
func (locallySignedCert) ComputedKeys() []string {
	return append([]string{"caKeyAlgorithm"}, certOutputs...)
}

// template is the certificate every resource starts from: validity, uses, CA flag, SANs.
func template(in resource.PropertyMap, now time.Time) (*x509.Certificate, error) {
	ku, ext, err := usagesOf(standin.Strs(in, "allowedUses"))
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	hours := standin.Int(in, "validityPeriodHours", 0)
	if hours <= 0 {
		return nil, fmt.Errorf("validityPeriodHours must be positive")
	}
	cert := &x509.Certificate{
		SerialNumber:          serial,
		NotBefore:             now,
		NotAfter:              now.Add(time.Duration(hours) * time.Hour),
		KeyUsage:              ku,
		ExtKeyUsage:           ext,
		BasicConstraintsValid: true,
		IsCA:                  standin.Bool(in, "isCaCertificate", false),
	}
	if max := standin.Int(in, "maxPathLength", 0); cert.IsCA && max > 0 {
		cert.MaxPathLen = max
	}
	return cert, nil
}

// certOutputsOf is what every certificate resource returns besides its inputs.
func certOutputsOf(in resource.PropertyMap, der []byte, cert *x509.Certificate, now time.Time) map[string]any {
	early := standin.Int(in, "earlyRenewalHours", 0)
	return map[string]any{
		"certPem":           string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		"validityStartTime": cert.NotBefore.UTC().Format(time.RFC3339),
		"validityEndTime":   cert.NotAfter.UTC().Format(time.RFC3339),
		"readyForRenewal":   ReadyForRenewal(cert.NotAfter, early, now),
		"earlyRenewalHours": early,
	}
}

// ReadyForRenewal: inside the early renewal window (or expired), as the real provider says.
func ReadyForRenewal(notAfter time.Time, earlyRenewalHours int, now time.Time) bool {
	return !now.Before(notAfter.Add(-time.Duration(earlyRenewalHours) * time.Hour))
}

func (selfSignedCert) Create(_ context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	key, algorithm, err := ParsePrivateKey(standin.Str(req.Inputs, "privateKeyPem"))
	if err != nil {
		return "", nil, fmt.Errorf("privateKeyPem: %w", err)
	}
	now := time.Now()
	cert, err := template(req.Inputs, now)
	if err != nil {
		return "", nil, err
	}
	cert.Subject = subjectOf(req.Inputs)
	if cert.DNSNames, cert.IPAddresses, cert.URIs, err = sansOf(req.Inputs); err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, cert, cert, key.Public(), key)
	if err != nil {
		return "", nil, err
	}
	outputs := certOutputsOf(req.Inputs, der, cert, now)
	outputs["keyAlgorithm"] = algorithm
	return cert.SerialNumber.String(), standin.With(req.Inputs, outputs), nil
}

func (certRequest) Create(_ context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	key, algorithm, err := ParsePrivateKey(standin.Str(req.Inputs, "privateKeyPem"))
	if err != nil {
		return "", nil, fmt.Errorf("privateKeyPem: %w", err)
	}
	csr := &x509.CertificateRequest{Subject: subjectOf(req.Inputs)}
	if csr.DNSNames, csr.IPAddresses, csr.URIs, err = sansOf(req.Inputs); err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, csr, key)
	if err != nil {
		return "", nil, err
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	return standin.StableHex(pemText, 40), standin.With(req.Inputs, map[string]any{"certRequestPem": pemText, "keyAlgorithm": algorithm}), nil
}

func (locallySignedCert) Create(_ context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	csr, err := parseCSR(standin.Str(req.Inputs, "certRequestPem"))
	if err != nil {
		return "", nil, err
	}
	caKey, caAlgorithm, err := ParsePrivateKey(standin.Str(req.Inputs, "caPrivateKeyPem"))
	if err != nil {
		return "", nil, fmt.Errorf("caPrivateKeyPem: %w", err)
	}
	ca, err := parseCert(standin.Str(req.Inputs, "caCertPem"))
	if err != nil {
		return "", nil, fmt.Errorf("caCertPem: %w", err)
	}
	now := time.Now()
	cert, err := template(req.Inputs, now)
	if err != nil {
		return "", nil, err
	}
	cert.Subject, cert.DNSNames, cert.IPAddresses, cert.URIs = csr.Subject, csr.DNSNames, csr.IPAddresses, csr.URIs
	der, err := x509.CreateCertificate(rand.Reader, cert, ca, csr.PublicKey, caKey)
	if err != nil {
		return "", nil, err
	}
	outputs := certOutputsOf(req.Inputs, der, cert, now)
	outputs["caKeyAlgorithm"] = caAlgorithm
	return cert.SerialNumber.String(), standin.With(req.Inputs, outputs), nil
}

func parseCSR(text string) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("certRequestPem: no CERTIFICATE REQUEST PEM block")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, err
	}
	return csr, csr.CheckSignature()
}

func parseCert(text string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("no CERTIFICATE PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}

// Updates change earlyRenewalHours only: the certificate stays, readyForRenewal follows.
func updateCert(req standin.Request) (resource.PropertyMap, error) {
	out := req.OldOutputs.Copy()
	for k, v := range req.Inputs {
		out[k] = v
	}
	if end, err := time.Parse(time.RFC3339, standin.Str(out, "validityEndTime")); err == nil {
		out["readyForRenewal"] = resource.NewProperty(ReadyForRenewal(end, standin.Int(req.Inputs, "earlyRenewalHours", 0), time.Now()))
	}
	out["earlyRenewalHours"] = resource.NewProperty(float64(standin.Int(req.Inputs, "earlyRenewalHours", 0)))
	return out, nil
}

func (selfSignedCert) Update(_ context.Context, req standin.Request) (resource.PropertyMap, error) {
	return updateCert(req)
}
func (locallySignedCert) Update(_ context.Context, req standin.Request) (resource.PropertyMap, error) {
	return updateCert(req)
}
func (certRequest) Update(_ context.Context, req standin.Request) (resource.PropertyMap, error) {
	return req.OldOutputs, nil
}
func (selfSignedCert) Delete(context.Context, standin.Request) error    { return nil }
func (certRequest) Delete(context.Context, standin.Request) error       { return nil }
func (locallySignedCert) Delete(context.Context, standin.Request) error { return nil }

// MoreReplaces: a certificate inside its early renewal window is replaced by the next update,
// as the real provider plans it (reported on readyForRenewal).
func (selfSignedCert) MoreReplaces(_, news, oldOutputs resource.PropertyMap) []string {
	return renewal(news, oldOutputs)
}
func (locallySignedCert) MoreReplaces(_, news, oldOutputs resource.PropertyMap) []string {
	return renewal(news, oldOutputs)
}

func renewal(news, oldOutputs resource.PropertyMap) []string {
	end, err := time.Parse(time.RFC3339, standin.Str(oldOutputs, "validityEndTime"))
	if err != nil || !ReadyForRenewal(end, standin.Int(news, "earlyRenewalHours", 0), time.Now()) {
		return nil
	}
	return []string{"readyForRenewal"}
}
