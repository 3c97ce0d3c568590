package managed

// Reasons a policy key has no registry value of its own. Such keys are set on
// Windows in the policy file (%ProgramData%\Homeshore\policy.json) or in the
// PolicyJSON registry value (Group Policy "Other settings (policy JSON)").
const (
	whyStructured = "a list of reasons, each a code with English and French labels: structured data, not one registry string"
	whyThresholds = "pre-shift check threshold, validated together with its pair (warn before fail) and tuned per site with the rest of its check"
	whyHeadset    = "headset rules are read in order (deny models, allow models, then kinds) and set as one rule set"
	whyCalibrated = "keyed by microphone (device id or USB id): a map per device, not one value"
)

// PolicyJSONOnly lists every policy key without a registry value of its own,
// with the reason; a test walks docs/policy.schema.json so that each key is
// either in fields() or here.
func PolicyJSONOnly() map[string]string {
	m := map[string]string{
		"shift.not_ready_reasons": whyStructured,
		"shift.break_reasons":     whyStructured,
		"checks.calibration":      whyCalibrated,
	}
	for _, k := range []string{"allow_kinds", "deny_kinds", "allow_models", "deny_models", "unknown", "pin"} {
		m["checks.headset."+k] = whyHeadset
	}
	thresholds := map[string][]string{
		"leak":       {"min_loss_db", "warn_loss_db", "probe_level_dbfs", "probe_ms"},
		"microphone": {"min_speech_dbfs", "warn_speech_dbfs", "max_clip_percent", "speech_seconds", "dead_below_dbfs", "require_speaking", "close_talk_decay_db", "distant_decay_db"},
		"room":       {"capture_seconds", "max_l90_dbfs", "warn_l90_dbfs", "max_l10_dbfs", "max_lmax_dbfs", "max_dba", "voices", "music"},
		"network":    {"wifi", "probes", "interval_ms", "timeout_ms", "max_rtt_ms", "max_jitter_ms", "max_loss_percent", "min_mos", "warn_mos", "verify_tls", "min_cert_days_left"},
	}
	for check, keys := range thresholds {
		for _, k := range keys {
			m["checks."+check+"."+k] = whyThresholds
		}
	}
	return m
}
