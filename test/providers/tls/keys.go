package tls

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"onprem-k8s/test/providers/standin"
)

// privateKey is tls:index/privateKey:PrivateKey: a real key of the asked algorithm, in every
// encoding the real provider returns. Private encodings are secret, as in its schema.
type privateKey struct{}

func (privateKey) ReplaceKeys() []string { return []string{"algorithm", "rsaBits", "ecdsaCurve"} }
func (privateKey) ComputedKeys() []string {
	return []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh", "publicKeyPem",
		"publicKeyOpenssh", "publicKeyFingerprintMd5", "publicKeyFingerprintSha256"}
}

// GenerateKey makes a key as the real provider does, with its defaults (RSA 2048, P224).
func GenerateKey(algorithm string, rsaBits int, curve string) (crypto.Signer, error) {
	switch algorithm {
	case "RSA":
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case "ECDSA":
		c, ok := map[string]elliptic.Curve{"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521()}[curve]
		if !ok {
			return nil, fmt.Errorf("ecdsaCurve %q is not one of P224, P256, P384, P521", curve)
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case "ED25519":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("algorithm %q is not one of RSA, ECDSA, ED25519", algorithm)
}

func (privateKey) Create(_ context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	algorithm := standin.Str(req.Inputs, "algorithm")
	rsaBits := standin.Int(req.Inputs, "rsaBits", 2048)
	curve := standin.Str(req.Inputs, "ecdsaCurve")
	if curve == "" {
		curve = "P224"
	}
	key, err := GenerateKey(algorithm, rsaBits, curve)
	if err != nil {
		return "", nil, err
	}
	enc, err := encodeKey(key)
	if err != nil {
		return "", nil, err
	}
	outputs := map[string]any{"algorithm": algorithm, "rsaBits": rsaBits, "ecdsaCurve": curve}
	for k, v := range enc {
		outputs[k] = v
	}
	for _, k := range []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"} {
		outputs[k] = resource.MakeSecret(resource.NewProperty(enc[k]))
	}
	pubDer, _ := x509.MarshalPKIXPublicKey(key.Public())
	return fmt.Sprintf("%x", sha1.Sum(pubDer)), standin.With(req.Inputs, outputs), nil
}

// encodeKey returns the PEM, PKCS#8, OpenSSH and fingerprint encodings of a key.
func encodeKey(key crypto.Signer) (map[string]string, error) {
	var legacy *pem.Block
	switch k := key.(type) {
	case *rsa.PrivateKey:
		legacy = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		legacy = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	pkcs8Pem := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	out := map[string]string{
		"privateKeyPem":      pkcs8Pem, // ED25519 has only PKCS#8
		"privateKeyPemPkcs8": pkcs8Pem,
		"publicKeyPem":       string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		// OpenSSH has no P224: the real provider leaves these empty then.
		"privateKeyOpenssh": "", "publicKeyOpenssh": "", "publicKeyFingerprintMd5": "", "publicKeyFingerprintSha256": "",
	}
	if legacy != nil {
		out["privateKeyPem"] = string(pem.EncodeToMemory(legacy))
	}
	if sshPub, err := ssh.NewPublicKey(key.Public()); err == nil {
		block, err := ssh.MarshalPrivateKey(key, "")
		if err != nil {
			return nil, err
		}
		out["privateKeyOpenssh"] = string(pem.EncodeToMemory(block))
		out["publicKeyOpenssh"] = string(ssh.MarshalAuthorizedKey(sshPub))
		out["publicKeyFingerprintMd5"] = md5Fingerprint(sshPub)
		out["publicKeyFingerprintSha256"] = ssh.FingerprintSHA256(sshPub)
	}
	return out, nil
}

func md5Fingerprint(key ssh.PublicKey) string {
	sum := md5.Sum(key.Marshal())
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// ParsePrivateKey reads a key in any PEM form the provider writes.
func ParsePrivateKey(pemText string) (crypto.Signer, string, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, "", fmt.Errorf("no PEM block in the private key")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, "", err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, "RSA", nil
	case *ecdsa.PrivateKey:
		return k, "ECDSA", nil
	case ed25519.PrivateKey:
		return k, "ED25519", nil
	}
	return nil, "", fmt.Errorf("unsupported private key type %T", key)
}

func (privateKey) Update(_ context.Context, req standin.Request) (resource.PropertyMap, error) {
	return req.OldOutputs, nil
}

func (privateKey) Delete(context.Context, standin.Request) error { return nil }
