package standin

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Plain returns v with every secret (and output value) unwrapped, for comparisons and for
// implementations that only need the values.
func Plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsOutput():
		out := v.OutputValue()
		if !out.Known {
			return resource.MakeComputed(resource.NewProperty(""))
		}
		return Plain(out.Element)
	case v.IsArray():
		arr := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			arr[i] = Plain(e)
		}
		return resource.NewProperty(arr)
	case v.IsObject():
		return resource.NewProperty(PlainMap(v.ObjectValue()))
	}
	return v
}

// PlainMap is Plain for a whole property map.
func PlainMap(m resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		out[k] = Plain(v)
	}
	return out
}

// KeepSecrets marks as secret every output whose input of the same key was (or contained) a
// secret, as the real providers' schemas do for such keys; outputs an implementation already
// made secret (resource.MakeSecret) stay secret.
func KeepSecrets(inputs, outputs resource.PropertyMap) resource.PropertyMap {
	for k, in := range inputs {
		out, ok := outputs[k]
		if !ok || !in.ContainsSecrets() || out.ContainsSecrets() || out.IsNull() {
			continue
		}
		outputs[k] = resource.MakeSecret(out)
	}
	return outputs
}
