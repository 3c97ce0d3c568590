package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Ringtones shipped in assets/sounds, by file stem.
var ringtones = []string{"classic", "soft"}

// settingsView edits the agent's preferences; policy-set values are read-only.
type settingsView struct {
	c        *Controller
	root     fyne.CanvasObject
	devices  *devicePicker
	codecs   *widget.CheckGroup
	srtp     *widget.Select
	srtpOpts map[string]string
	proc     *processingControls
	ringtone *widget.Select
	tones    map[string]string
	language *widget.RadioGroup
	themeSel *widget.RadioGroup
	wrapUp   *keyEntry
	langs    map[string]string
	themes   map[string]string
}

func newSettingsView(c *Controller) *settingsView {
	t := c.tr.T
	v := &settingsView{c: c, devices: newDevicePicker(c)}
	v.codecs = widget.NewCheckGroup(c.be.Codecs, nil)
	v.codecs.Horizontal = true
	// No choice saved means every codec, in the core's order: show that.
	used := c.settings.Codecs
	if len(used) == 0 {
		used = c.be.Codecs
	}
	v.codecs.SetSelected(used)
	v.srtpOpts = map[string]string{"off": t("settings.srtp.off"), "optional": t("settings.srtp.optional"), "mandatory": t("settings.srtp.mandatory")}
	v.srtp = c.newSelect([]string{v.srtpOpts["off"], v.srtpOpts["optional"], v.srtpOpts["mandatory"]}, nil)
	v.srtp.SetSelected(v.srtpOpts[orDefault(c.settings.SRTP, "off")])
	v.proc = newProcessingControls(c)
	v.tones = map[string]string{}
	var toneLabels []string
	for _, r := range ringtones {
		v.tones[r] = c.tr.Label("settings.ringtone."+r, r)
		toneLabels = append(toneLabels, v.tones[r])
	}
	v.ringtone = c.newSelect(toneLabels, nil)
	v.ringtone.SetSelected(v.tones[orDefault(c.settings.Ringtone, ringtones[0])])
	v.langs = map[string]string{"": t("settings.lang.system"), "en": "English", "fr": "Français"}
	v.language = widget.NewRadioGroup([]string{v.langs[""], v.langs["en"], v.langs["fr"]}, nil)
	v.language.Horizontal = true
	v.language.SetSelected(v.langs[c.settings.Language])
	v.themes = map[string]string{"": t("settings.theme.system"), "light": t("settings.theme.light"), "dark": t("settings.theme.dark")}
	v.themeSel = widget.NewRadioGroup([]string{v.themes[""], v.themes["light"], v.themes["dark"]}, nil)
	v.themeSel.Horizontal = true
	v.themeSel.SetSelected(v.themes[c.settings.Theme])
	v.wrapUp = c.newEntry()
	v.wrapUp.SetText(strconv.Itoa(c.settings.WrapUpSeconds))
	v.wrapUp.Validator = func(s string) error {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err != nil || n < 5 || n > 3600 {
			return errorf(t("settings.wrapup.invalid"))
		}
		return nil
	}
	form := widget.NewForm(
		widget.NewFormItem(t("settings.codecs"), c.lockable(SettingCodecs, v.codecs)),
		widget.NewFormItem(t("settings.srtp"), c.lockableAs(SettingSRTP, v.srtp, func(m string) string { return v.srtpOpts[m] })),
		widget.NewFormItem(t("settings.ringtone"), v.ringtone),
		widget.NewFormItem(t("settings.language"), c.lockable(SettingLanguage, v.language)),
		widget.NewFormItem(t("settings.theme"), v.themeSel),
		widget.NewFormItem(t("settings.wrapup"), v.wrapUp),
	)
	shortcuts := widget.NewLabel(strings.Join(c.shortcutLines(), "\n"))
	shortcuts.Wrapping = fyne.TextWrapWord
	audio := v.devices.root
	if c.status.State != StateOffline {
		// Calls keep the checked headset for the shift (docs/gui.md).
		audio = container.NewVBox(wrapLabel(t("settings.devices.shift")), audio)
	}
	v.root = container.NewVBox(
		widget.NewCard(t("firstrun.audio"), "", container.NewVBox(audio, widget.NewForm(v.proc.formItems(c)...))),
		widget.NewCard(t("settings.prefs"), "", form),
		widget.NewCard(t("settings.shortcuts"), "", shortcuts),
	)
	v.devices.load()
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func keyOf(m map[string]string, label string) string {
	for k, v := range m {
		if v == label {
			return k
		}
	}
	return ""
}

// apply saves the settings and applies language and theme at once.
func (v *settingsView) apply() error {
	c := v.c
	if err := v.wrapUp.Validate(); err != nil {
		return err
	}
	s := v.devices.apply(c.settings)
	if _, locked := c.locked[SettingCodecs]; !locked {
		s.Codecs = v.codecs.Selected
	}
	if _, locked := c.locked[SettingSRTP]; !locked {
		s.SRTP = keyOf(v.srtpOpts, v.srtp.Selected)
	}
	v.proc.apply(c, &s)
	s.Ringtone = keyOf(v.tones, v.ringtone.Selected)
	if _, locked := c.locked[SettingLanguage]; !locked {
		s.Language = keyOf(v.langs, v.language.Selected)
	}
	s.Theme = keyOf(v.themes, v.themeSel.Selected)
	s.WrapUpSeconds, _ = strconv.Atoi(strings.TrimSpace(v.wrapUp.Text))
	if err := c.be.Config.SaveSettings(s); err != nil {
		return errorf(c.tr.T("err.save", err.Error()))
	}
	langChanged := s.Language != c.settings.Language
	c.settings = s
	c.applyTheme()
	if langChanged {
		return c.setLanguage(s.Language)
	}
	return nil
}

// openSettings shows the settings dialog.
func (c *Controller) openSettings() {
	v := newSettingsView(c)
	d := dialog.NewCustomConfirm(c.tr.T("settings.title"), c.tr.T("settings.save"), c.tr.T("settings.cancel"),
		container.NewVScroll(v.root), func(ok bool) {
			if !ok {
				return
			}
			if err := v.apply(); err != nil {
				c.showError(err)
			}
		}, c.win)
	d.Resize(fitSize(c.win, fyne.NewSize(760, 600)))
	c.track(d)
	d.Show()
}
