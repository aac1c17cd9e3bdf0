// Package openapi writes an OpenAPI 3 document from a table of operations
// and the Go values of their bodies: each named struct type becomes a schema
// of the document's components, its properties named by the fields' json
// tags (required unless omitempty or a pointer), so that the document says
// what the code sends and takes.
package openapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Operation documents one route.
type Operation struct {
	Method, Path string // as registered with Fiber, e.g. /r/:region/api/proposals/:id
	Summary      string
	Permission   string // checked at the object's scope; "" when none is needed
	SignedIn     bool   // needs an account even without a permission
	Request      any    // a value of the body's type; nil when there is none
	Response     any    // a value of the answer's type; nil for 204 or a file
	Status       int    // the success status
	Tag          string
}

// Spec is what a document is written from.
type Spec struct {
	Title, Version, Description string
	// Error is a value of the body every operation may answer an error with.
	Error any
	// Security are the document's security schemes, by name; an operation
	// with a permission (or that needs signing in) takes any of them.
	Security   map[string]any
	Operations []Operation
}

var fiberParam = regexp.MustCompile(`:([a-zA-Z]+)`)

// Document writes the OpenAPI 3.0.3 document of the spec as indented JSON:
// the same spec always gives the same bytes.
func (s Spec) Document() ([]byte, error) {
	g := &schemaGen{schemas: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, op := range s.Operations {
		path := fiberParam.ReplaceAllString(op.Path, "{$1}")
		if path != "/" && strings.HasSuffix(path, "/") && strings.Count(path, "/") > 1 {
			path = strings.TrimSuffix(path, "/") + "/"
		}
		var params []any
		for _, m := range fiberParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		o := map[string]any{
			"summary":     op.Summary,
			"operationId": strings.ToLower(op.Method) + " " + path,
			"tags":        []string{op.Tag},
			"responses": map[string]any{
				"default": map[string]any{"description": "An error: its code, message and the offending field.", "content": jsonContent(g.ref(reflect.TypeOf(s.Error)))},
			},
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.Permission != "" {
			o["x-permission"] = op.Permission
		}
		if op.Permission != "" || op.SignedIn {
			var schemes []any
			for _, name := range sortedKeys(s.Security) {
				schemes = append(schemes, map[string]any{name: []string{}})
			}
			o["security"] = schemes
		}
		if op.Request != nil {
			o["requestBody"] = map[string]any{"required": true, "content": jsonContent(g.ref(reflect.TypeOf(op.Request)))}
		}
		ok := map[string]any{"description": "Success."}
		if op.Response != nil {
			ok["content"] = jsonContent(g.ref(reflect.TypeOf(op.Response)))
		}
		o["responses"].(map[string]any)[itoa(op.Status)] = ok
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(op.Method)] = o
	}
	doc := map[string]any{
		"openapi":    "3.0.3",
		"info":       map[string]any{"title": s.Title, "version": s.Version, "description": s.Description},
		"paths":      paths,
		"components": map[string]any{"schemas": g.schemas, "securitySchemes": s.Security},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// schemaGen turns Go types into JSON Schema, naming struct types once in components.
type schemaGen struct{ schemas map[string]any }

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) ref(t reflect.Type) any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return g.ref(t.Elem())
	case t.Kind() == reflect.Struct && t.Name() != "":
		name := schemaName(t)
		if _, done := g.schemas[name]; !done {
			g.schemas[name] = nil // placeholder against recursion
			g.schemas[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Struct:
		return g.object(t)
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case t.Kind() == reflect.Interface:
		return map[string]any{}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{}
}

// schemaName names a struct type; generic instances such as page[T] become pageOfT.
func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		inner := name[i+1 : len(name)-1]
		inner = inner[strings.LastIndexAny(inner, "./")+1:]
		name = name[:i] + "Of" + strings.ToUpper(inner[:1]) + inner[1:]
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.ref(f.Type)
			if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
				required = append(required, name)
			}
		}
	}
	walk(t)
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		o["required"] = required
	}
	return o
}
