package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadNIKKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hex64 := strings.Repeat("ab", 32)
	key, err := readNIKKey(write("key", hex64+"\n"))
	if err != nil || string(key) != hex64 {
		t.Fatalf("a key with a trailing newline: %q %v", key, err)
	}
	if _, err := readNIKKey(write("short", "too short\n")); err == nil || !strings.Contains(err.Error(), "32 or more") {
		t.Errorf("a short key: %v", err)
	}
	if _, err := readNIKKey(filepath.Join(dir, "absent")); err == nil {
		t.Error("a missing key file was accepted")
	}
}

func TestKubeConfigRefusesMissingFiles(t *testing.T) {
	if _, err := kubeConfig(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("a missing kubeconfig was accepted")
	}
}
