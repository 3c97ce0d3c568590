//go:build packaging

package pkgtest

import (
	"debug/pe"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// systemDLLs ship with every supported Windows; anything else would have to be installed next to the exe.
var systemDLLs = []string{
	"advapi32.dll", "bcrypt.dll", "comdlg32.dll", "crypt32.dll", "dnsapi.dll", "dwmapi.dll", "gdi32.dll",
	"imm32.dll", "iphlpapi.dll", "kernel32.dll", "msvcrt.dll", "ntdll.dll", "ole32.dll", "oleaut32.dll",
	"opengl32.dll", "powrprof.dll", "secur32.dll", "setupapi.dll", "shell32.dll", "shlwapi.dll",
	"user32.dll", "userenv.dll", "uxtheme.dll", "version.dll", "winmm.dll", "ws2_32.dll", "wsock32.dll",
	"winhttp.dll", "dsound.dll",
}

func peImports(t *testing.T, path string) ([]string, uint16) {
	t.Helper()
	f, err := pe.Open(path)
	if err != nil {
		t.Fatalf("%s is not a PE file: %v", path, err)
	}
	defer f.Close()
	// debug/pe's ImportedLibraries is a stub; the DLL names come with the symbols ("Sleep:KERNEL32.dll").
	syms, err := f.ImportedSymbols()
	if err != nil {
		t.Fatal(err)
	}
	var libs []string
	for _, s := range syms {
		if _, dll, ok := strings.Cut(s, ":"); ok && !slices.Contains(libs, strings.ToLower(dll)) {
			libs = append(libs, strings.ToLower(dll))
		}
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok || f.FileHeader.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Fatalf("%s is not a 64-bit x86-64 executable", path)
	}
	return libs, oh.Subsystem
}

func TestWindowsExecutablesNeedOnlySystemDLLs(t *testing.T) {
	for name, subsystem := range map[string]uint16{
		"homeshore.exe":     pe.IMAGE_SUBSYSTEM_WINDOWS_GUI,
		"homeshore-cli.exe": pe.IMAGE_SUBSYSTEM_WINDOWS_CUI,
		"linkcheck.exe":     pe.IMAGE_SUBSYSTEM_WINDOWS_GUI,
	} {
		t.Run(name, func(t *testing.T) {
			libs, sub := peImports(t, artifact(t, "windows/"+name))
			if sub != subsystem {
				t.Errorf("subsystem = %d, want %d", sub, subsystem)
			}
			for _, l := range libs {
				if !slices.Contains(systemDLLs, l) {
					t.Errorf("imports %s, which Windows does not ship (static linking failed?)", l)
				}
			}
		})
	}
	// linkcheck holds PortAudio (MME: winmm), Opus and Fyne (GL: opengl32): they must be linked in.
	libs, _ := peImports(t, artifact(t, "windows/linkcheck.exe"))
	for _, want := range []string{"winmm.dll", "opengl32.dll"} {
		if !slices.Contains(libs, want) {
			t.Errorf("linkcheck.exe does not import %s: PortAudio/Fyne not linked? imports: %v", want, libs)
		}
	}
	data, err := os.ReadFile(artifact(t, "windows/linkcheck.exe"))
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"PortAudio V19", "libopus 1.3.1"} {
		if !strings.Contains(string(data), marker) {
			t.Errorf("linkcheck.exe lacks %q: static library not linked", marker)
		}
	}
}

func TestWindowsExeHasVersionResource(t *testing.T) {
	data, err := os.ReadFile(artifact(t, "windows/homeshore.exe"))
	if err != nil {
		t.Fatal(err)
	}
	// Version strings in a VERSIONINFO resource are UTF-16LE.
	for _, s := range []string{"ProductName", "Homeshore", "FileVersion"} {
		if !strings.Contains(string(data), utf16le(s)) {
			t.Errorf("homeshore.exe has no %q in its version resource", s)
		}
	}
}

func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
		b.WriteByte(0)
	}
	return b.String()
}

func authenticodeCA(t *testing.T) string {
	t.Helper()
	ca := os.Getenv("HOMESHORE_AUTHENTICODE_CA")
	require(t, ca != "", "HOMESHORE_AUTHENTICODE_CA (run make test-package)")
	return ca
}

func TestAuthenticodeSignaturesVerifyAndTamperedCopiesFail(t *testing.T) {
	requireTool(t, "osslsigncode", "openssl", "msibuild")
	ca := authenticodeCA(t)
	for _, glob := range []string{"windows/homeshore.exe", "windows/homeshore-cli.exe", "windows/homeshore-*.msi"} {
		t.Run(filepath.Base(glob), func(t *testing.T) {
			f := artifact(t, glob)
			out := run(t, "osslsigncode", "verify", "-CAfile", ca, "-in", f)
			assertContains(t, "osslsigncode verify", out, "Signature verification: ok")
			var tampered string
			if strings.HasSuffix(f, ".msi") {
				// An MSI is a compound file; change a table the way an attacker would.
				tampered = copyFile(t, f, t.TempDir())
				run(t, "msibuild", tampered, "-q", "UPDATE `Property` SET `Value` = 'https://evil.example' WHERE `Property` = 'ARPURLINFOABOUT'")
			} else {
				tampered = tamperedCopy(t, f, nil, 0)
			}
			fails(t, "osslsigncode", "verify", "-CAfile", ca, "-in", tampered)
			// A root nobody configured does not vouch for the file.
			other := filepath.Join(t.TempDir(), "other-ca.pem")
			run(t, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", other+".key", "-out", other,
				"-days", "1", "-subj", "/CN=Somebody Else")
			fails(t, "osslsigncode", "verify", "-CAfile", other, "-in", f)
		})
	}
}
