package testenv

import (
	"embed"
	"os"
	"path/filepath"
	"testing"
	"text/template"
)

// testdata holds our configuration templates and sipp scenarios, embedded so
// the helpers work from any package's test working directory.
//
//go:embed testdata/kamailio/*.tmpl testdata/sipp/*.xml testdata/baresip/*.tmpl testdata/wine/*
var testdata embed.FS

// renderTemplate executes the embedded template name with data into path.
func renderTemplate(t testing.TB, name, path string, data any) {
	t.Helper()
	tmpl, err := template.ParseFS(testdata, name)
	if err != nil {
		t.Fatalf("testenv: template %s: %v", name, err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer f.Close()
	if err := tmpl.Execute(f, data); err != nil {
		t.Fatalf("testenv: render %s: %v", filepath.Base(path), err)
	}
}
