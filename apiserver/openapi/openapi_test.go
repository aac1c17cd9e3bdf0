package openapi

import (
	"encoding/json"
	"testing"
	"time"
)

type page[T any] struct {
	Items []T  `json:"items"`
	Next  *int `json:"next,omitempty"`
}

type thing struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name,omitempty"`
	At      time.Time `json:"at"`
	Hidden  string    `json:"-"`
	private int
}

func TestDocumentNamesEachStructOnceWithItsRequiredFields(t *testing.T) {
	doc, err := Spec{
		Title: "T", Version: "1", Error: struct {
			Message string `json:"message"`
		}{},
		Security: map[string]any{"token": map[string]any{"type": "http", "scheme": "bearer"}},
		Operations: []Operation{
			{Method: "GET", Path: "/r/:region/things", Summary: "Things.", Permission: "thing:read", Response: page[thing]{}, Status: 200, Tag: "t"},
			{Method: "POST", Path: "/r/:region/things/:id/", Summary: "One.", Request: thing{}, Response: thing{}, Status: 201, Tag: "t"},
		},
	}.Document()
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	list := d.Paths["/r/{region}/things"]["get"]
	if list["x-permission"] != "thing:read" || list["security"] == nil {
		t.Errorf("the list operation: %v", list)
	}
	if one := d.Paths["/r/{region}/things/{id}/"]["post"]; one["security"] != nil || one["requestBody"] == nil {
		t.Errorf("the post operation: %v", one)
	}
	th, ok := d.Components.Schemas["Thing"]
	if !ok || len(th.Properties) != 3 || len(th.Required) != 2 || th.Required[0] != "at" || th.Required[1] != "id" {
		t.Errorf("schema Thing: %+v", th)
	}
	if _, ok := d.Components.Schemas["PageOfThing"]; !ok {
		t.Errorf("no schema PageOfThing among %v", d.Components.Schemas)
	}
	again, _ := Spec{Title: "T", Version: "1", Error: struct{}{}}.Document()
	if again2, _ := (Spec{Title: "T", Version: "1", Error: struct{}{}}).Document(); string(again) != string(again2) {
		t.Error("the same spec wrote two documents")
	}
}
