package random

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
	"onprem-k8s/test/providers/standin"
)

func count(s string, f func(rune) bool) int {
	n := 0
	for _, r := range s {
		if f(r) {
			n++
		}
	}
	return n
}

func TestGenerateHonoursClasses(t *testing.T) {
	for i := 0; i < 50; i++ {
		s, err := Generate(Rules{Length: 16, Lower: true, Numeric: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 16 || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLower(r) && !unicode.IsDigit(r) }) >= 0 {
			t.Fatalf("bad token %q", s)
		}
	}
}

func TestGenerateHonoursMinimumsAndOverrideSpecial(t *testing.T) {
	for i := 0; i < 50; i++ {
		s, err := Generate(Rules{Length: 8, Lower: true, Upper: true, Numeric: true, Special: true,
			MinUpper: 2, MinNumeric: 2, MinSpecial: 1, OverrideSpecial: "_"})
		if err != nil {
			t.Fatal(err)
		}
		if count(s, unicode.IsUpper) < 2 || count(s, unicode.IsDigit) < 2 || !strings.Contains(s, "_") {
			t.Fatalf("minimums not met in %q", s)
		}
		if strings.ContainsAny(s, "!@#$%&*") {
			t.Fatalf("default specials in %q", s)
		}
	}
}

func TestGenerateRefusesImpossibleRules(t *testing.T) {
	if _, err := Generate(Rules{Length: 4}); err == nil {
		t.Error("no classes: want error")
	}
	if _, err := Generate(Rules{Length: 2, Lower: true, MinLower: 3}); err == nil {
		t.Error("minimums over length: want error")
	}
}

func TestEveryInputReplaces(t *testing.T) {
	keys := randomString{}.ReplaceKeys()
	for _, k := range []string{"keepers", "length", "special", "numeric"} {
		if !strings.Contains(strings.Join(keys, ","), k) {
			t.Errorf("%s does not replace", k)
		}
	}
}

func TestPasswordIdIsNoneAndResultSecret(t *testing.T) {
	in := resource.PropertyMap{"length": resource.NewProperty(16.0), "special": resource.NewProperty(false)}
	id, out, err := randomPassword{}.Create(context.Background(), standin.Request{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if id != "none" {
		t.Fatalf("id %q: the real provider never puts the password in the id", id)
	}
	if !out["result"].IsSecret() || !out["bcryptHash"].IsSecret() {
		t.Fatalf("result and bcryptHash must be secrets: %v", out)
	}
	result := out["result"].SecretValue().Element.StringValue()
	if err := bcrypt.CompareHashAndPassword([]byte(out["bcryptHash"].SecretValue().Element.StringValue()), []byte(result)); err != nil || len(result) != 16 {
		t.Fatalf("hash does not match the %d-character result: %v", len(result), err)
	}
}

func TestRandomBytesAreSecretAndDecodeToTheLength(t *testing.T) {
	id, outputs, err := randomBytes{}.Create(context.Background(), standin.Request{Inputs: resource.PropertyMap{"length": resource.NewProperty(32.0)}})
	if err != nil {
		t.Fatal(err)
	}
	if id != "none" || !outputs["base64"].IsSecret() || !outputs["hex"].IsSecret() {
		t.Fatalf("id %q, outputs %v: the bytes must never be the id and always secret", id, outputs)
	}
	if b64 := outputs["base64"].SecretValue().Element.StringValue(); len(b64) != 44 {
		t.Fatalf("base64 of 32 bytes is 44 characters, got %q", b64)
	}
}
