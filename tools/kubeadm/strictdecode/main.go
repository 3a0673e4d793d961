// strictdecode decodes a file of the apiserver's configuration as its API type, refusing unknown
// and duplicate fields (the tests' check of the files components/kubeadm/hardening.ts renders).
// The apiserver decodes some of these leniently (the audit policy: a misspelt field is dropped
// without a word), so starting one proves less than this does.
//
//	strictdecode audit-policy|encryption|admission|authentication <file>
package main

import (
	"fmt"
	"os"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"
	podsecurityv1 "k8s.io/pod-security-admission/admission/api/v1"
	"sigs.k8s.io/yaml"
)

type typed struct {
	apiVersion, kind string
	into             func() any
}

var kinds = map[string]typed{
	"audit-policy":   {"audit.k8s.io/v1", "Policy", func() any { return &auditv1.Policy{} }},
	"encryption":     {"apiserver.config.k8s.io/v1", "EncryptionConfiguration", func() any { return &apiserverv1.EncryptionConfiguration{} }},
	"admission":      {"apiserver.config.k8s.io/v1", "AdmissionConfiguration", func() any { return &apiserverv1.AdmissionConfiguration{} }},
	"authentication": {"apiserver.config.k8s.io/v1", "AuthenticationConfiguration", func() any { return &apiserverv1.AuthenticationConfiguration{} }},
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

// The type header must name the type: strict decoding of the body alone would accept another kind.
func checkHeader(data []byte, want typed) {
	var header struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(data, &header); err != nil {
		fail("%v", err)
	}
	if header.APIVersion != want.apiVersion || header.Kind != want.kind {
		fail("expected %s %s, found %q %q", want.apiVersion, want.kind, header.APIVersion, header.Kind)
	}
}

// The PodSecurity plugin's configuration is embedded raw in AdmissionConfiguration: decoded on its own.
func checkPodSecurity(config *apiserverv1.AdmissionConfiguration) {
	for _, plugin := range config.Plugins {
		if plugin.Name != "PodSecurity" {
			continue
		}
		var embedded podsecurityv1.PodSecurityConfiguration
		if err := yaml.UnmarshalStrict(plugin.Configuration.Raw, &embedded); err != nil {
			fail("PodSecurity configuration: %v", err)
		}
		if embedded.APIVersion != "pod-security.admission.config.k8s.io/v1" || embedded.Kind != "PodSecurityConfiguration" {
			fail("PodSecurity configuration: expected pod-security.admission.config.k8s.io/v1 PodSecurityConfiguration, found %q %q", embedded.APIVersion, embedded.Kind)
		}
	}
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: strictdecode audit-policy|encryption|admission|authentication <file>")
	}
	want, ok := kinds[os.Args[1]]
	if !ok {
		fail("unknown kind %q", os.Args[1])
	}
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	checkHeader(data, want)
	into := want.into()
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		fail("%s: %v", want.kind, err)
	}
	if admission, isAdmission := into.(*apiserverv1.AdmissionConfiguration); isAdmission {
		checkPodSecurity(admission)
	}
	fmt.Println("ok")
}
