package standin

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Helpers for implementations reading inputs; they see through secrets.

// Str is m[key] as a string, "" when absent or not a string.
func Str(m resource.PropertyMap, key string) string {
	if v := Plain(m[resource.PropertyKey(key)]); v.IsString() {
		return v.StringValue()
	}
	return ""
}

// Int is m[key] as an int, def when absent.
func Int(m resource.PropertyMap, key string, def int) int {
	if v := Plain(m[resource.PropertyKey(key)]); v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}

// Bool is m[key] as a bool, def when absent.
func Bool(m resource.PropertyMap, key string, def bool) bool {
	if v := Plain(m[resource.PropertyKey(key)]); v.IsBool() {
		return v.BoolValue()
	}
	return def
}

// Strs is m[key] as a list of strings (non-strings skipped).
func Strs(m resource.PropertyMap, key string) []string {
	var out []string
	if v := Plain(m[resource.PropertyKey(key)]); v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e.IsString() {
				out = append(out, e.StringValue())
			}
		}
	}
	return out
}

// Obj is m[key] as an object, empty when absent.
func Obj(m resource.PropertyMap, key string) resource.PropertyMap {
	if v := Plain(m[resource.PropertyKey(key)]); v.IsObject() {
		return v.ObjectValue()
	}
	return resource.PropertyMap{}
}

// Objs is m[key] as a list of objects.
func Objs(m resource.PropertyMap, key string) []resource.PropertyMap {
	var out []resource.PropertyMap
	if v := Plain(m[resource.PropertyKey(key)]); v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e.IsObject() {
				out = append(out, e.ObjectValue())
			}
		}
	}
	return out
}

// With returns a copy of inputs with the given outputs set: real providers return their
// inputs among the outputs.
func With(inputs resource.PropertyMap, outputs map[string]any) resource.PropertyMap {
	m := inputs.Copy()
	for k, v := range outputs {
		if pv, ok := v.(resource.PropertyValue); ok {
			m[resource.PropertyKey(k)] = pv
		} else {
			m[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	return m
}
