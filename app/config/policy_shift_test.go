package config

import (
	"errors"
	"testing"
)

func TestShiftPolicyReasons(t *testing.T) {
	p, err := ParsePolicy("t", []byte(`{"shift": {"not_ready_reasons": [{"code": "tech"},
		{"code": "backoffice", "labels": {"en": "Back office", "fr": "Back-office"}}], "phone_region": "FR"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Shift.NotReadyReasons) != 2 || p.Shift.NotReadyReasons[1].Labels["fr"] != "Back-office" ||
		p.Shift.PhoneRegion != "FR" || len(p.Shift.BreakReasons) != 2 {
		t.Fatalf("shift policy = %+v", p.Shift)
	}
	if !p.Shift.MissedCallNotReady || !DefaultPolicy().Shift.MissedCallNotReady {
		t.Fatal("shift.missed_call_not_ready must be on unless IT turns it off")
	}
	if off, err := ParsePolicy("t", []byte(`{"shift": {"missed_call_not_ready": false}}`)); err != nil || off.Shift.MissedCallNotReady ||
		!off.Locked("shift.missed_call_not_ready") {
		t.Fatalf("IT turns it off: %+v %v", off.Shift, err)
	}
	if !p.Locked("shift.not_ready_reasons") {
		t.Fatal("the reason list set by IT must be locked")
	}
	for name, doc := range map[string]string{
		"custom code without French": `{"shift": {"not_ready_reasons": [{"code": "x", "labels": {"en": "X"}}]}}`,
		"bad code":                   `{"shift": {"break_reasons": [{"code": "Lunch Break"}]}}`,
		"twice":                      `{"shift": {"break_reasons": [{"code": "lunch"}, {"code": "lunch"}]}}`,
		"empty list":                 `{"shift": {"not_ready_reasons": []}}`,
		"unknown language":           `{"shift": {"break_reasons": [{"code": "lunch", "labels": {"de": "Mittag"}}]}}`,
		"region":                     `{"shift": {"phone_region": "France"}}`,
	} {
		if _, err := ParsePolicy("t", []byte(doc)); !errors.Is(err, ErrPolicyInvalid) {
			t.Errorf("%s: err = %v, want ErrPolicyInvalid", name, err)
		}
	}
}
