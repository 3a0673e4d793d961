package tls

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/url"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// subjectOf reads the `subject` block the certificate resources take.
func subjectOf(in resource.PropertyMap) pkix.Name {
	s := standin.Obj(in, "subject")
	list := func(key string) []string {
		if v := standin.Str(s, key); v != "" {
			return []string{v}
		}
		return nil
	}
	return pkix.Name{
		CommonName:         standin.Str(s, "commonName"),
		Organization:       list("organization"),
		OrganizationalUnit: list("organizationalUnit"),
		Country:            list("country"),
		Province:           list("province"),
		Locality:           list("locality"),
		PostalCode:         list("postalCode"),
		StreetAddress:      standin.Strs(s, "streetAddresses"),
		SerialNumber:       standin.Str(s, "serialNumber"),
	}
}

// sansOf reads dnsNames, ipAddresses and uris.
func sansOf(in resource.PropertyMap) ([]string, []net.IP, []*url.URL, error) {
	var ips []net.IP
	for _, text := range standin.Strs(in, "ipAddresses") {
		ip := net.ParseIP(text)
		if ip == nil {
			return nil, nil, nil, fmt.Errorf("ipAddresses: %q is not an IP address", text)
		}
		ips = append(ips, ip)
	}
	var uris []*url.URL
	for _, text := range standin.Strs(in, "uris") {
		u, err := url.Parse(text)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("uris: %w", err)
		}
		uris = append(uris, u)
	}
	return standin.Strs(in, "dnsNames"), ips, uris, nil
}

var keyUsages = map[string]x509.KeyUsage{
	"digital_signature":  x509.KeyUsageDigitalSignature,
	"content_commitment": x509.KeyUsageContentCommitment,
	"key_encipherment":   x509.KeyUsageKeyEncipherment,
	"data_encipherment":  x509.KeyUsageDataEncipherment,
	"key_agreement":      x509.KeyUsageKeyAgreement,
	"cert_signing":       x509.KeyUsageCertSign,
	"crl_signing":        x509.KeyUsageCRLSign,
	"encipher_only":      x509.KeyUsageEncipherOnly,
	"decipher_only":      x509.KeyUsageDecipherOnly,
}

var extKeyUsages = map[string]x509.ExtKeyUsage{
	"any_extended":                  x509.ExtKeyUsageAny,
	"server_auth":                   x509.ExtKeyUsageServerAuth,
	"client_auth":                   x509.ExtKeyUsageClientAuth,
	"code_signing":                  x509.ExtKeyUsageCodeSigning,
	"email_protection":              x509.ExtKeyUsageEmailProtection,
	"ipsec_end_system":              x509.ExtKeyUsageIPSECEndSystem,
	"ipsec_tunnel":                  x509.ExtKeyUsageIPSECTunnel,
	"ipsec_user":                    x509.ExtKeyUsageIPSECUser,
	"timestamping":                  x509.ExtKeyUsageTimeStamping,
	"ocsp_signing":                  x509.ExtKeyUsageOCSPSigning,
	"microsoft_server_gated_crypto": x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"netscape_server_gated_crypto":  x509.ExtKeyUsageNetscapeServerGatedCrypto,
}

// usagesOf maps allowedUses to x509 key usages, refusing names the real provider refuses.
func usagesOf(uses []string) (x509.KeyUsage, []x509.ExtKeyUsage, error) {
	var ku x509.KeyUsage
	var ext []x509.ExtKeyUsage
	for _, use := range uses {
		if k, ok := keyUsages[use]; ok {
			ku |= k
		} else if e, ok := extKeyUsages[use]; ok {
			ext = append(ext, e)
		} else {
			return 0, nil, fmt.Errorf("allowedUses: %q is not a key usage", use)
		}
	}
	return ku, ext, nil
}
