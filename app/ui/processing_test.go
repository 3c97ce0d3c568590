package ui

import "testing"

func TestProcessingSettingsReadOnlyWherePolicySetsThem(t *testing.T) {
	f := newFake().configured()
	f.locked = Locked{SettingNoiseSuppression: "on"}
	f.settings.NoiseSuppression, f.settings.AGC, f.settings.EchoCancel = "on", "on", "auto"
	c := onShift(t, f, "fr")
	v := newSettingsView(c)
	if !v.proc.ns.Disabled() || v.proc.agc.Disabled() || v.proc.aec.Disabled() {
		t.Fatal("only the noise suppression IT set may be read-only")
	}
	if !hasLabel(v.root, "Activée") {
		t.Fatal("the locked noise suppression is not shown in words")
	}
	if v.proc.aec.Selected != "Automatique (désactivée avec un casque validé par la vérification)" {
		t.Fatalf("echo cancellation shown as %q", v.proc.aec.Selected)
	}
	v.proc.agc.SetSelected(c.tr.T("settings.proc.off"))
	v.proc.aec.SetSelected(c.tr.T("settings.proc.on"))
	if err := v.apply(); err != nil {
		t.Fatal(err)
	}
	if f.settings.NoiseSuppression != "on" || f.settings.AGC != "off" || f.settings.EchoCancel != "on" {
		t.Fatalf("saved %+v", f.settings)
	}
	v = newSettingsView(c)
	if v.proc.agc.Selected != c.tr.T("settings.proc.off") || v.proc.aec.Selected != c.tr.T("settings.proc.on") {
		t.Fatalf("reopened with %q, %q", v.proc.agc.Selected, v.proc.aec.Selected)
	}
}
