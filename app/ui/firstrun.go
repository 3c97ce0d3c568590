package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// firstRunView asks for the SIP account, the backend and the audio devices.
type firstRunView struct {
	c          *Controller
	root       fyne.CanvasObject
	server     *keyEntry
	user       *keyEntry
	authUser   *keyEntry
	password   *keyEntry
	transport  *widget.Select
	backendURL *keyEntry
	agentLogin *keyEntry
	token      *keyEntry
	errs       map[string]*widget.Label
	devices    *devicePicker
	testResult *widget.Label
	testButton *widget.Button
	saveButton *widget.Button
	// cancel goes back to the screen the agent came from, dropping edits.
	cancel *widget.Button
	back   string
}

func newFirstRunView(c *Controller) *firstRunView {
	v := &firstRunView{c: c, errs: map[string]*widget.Label{}}
	t := c.tr.T
	v.server = c.newEntry()
	v.server.SetPlaceHolder("sip.example.com:5060")
	v.user = c.newEntry()
	v.user.SetPlaceHolder("1001")
	v.authUser = c.newEntry()
	v.authUser.SetPlaceHolder(t("firstrun.authuser.hint"))
	v.password = c.newPasswordEntry()
	v.transport = c.newSelect(transports, nil)
	v.backendURL = c.newEntry()
	v.backendURL.SetPlaceHolder("https://tickets.example.com")
	v.agentLogin = c.newEntry()
	v.token = c.newPasswordEntry()
	v.token.SetPlaceHolder(t("firstrun.token.hint"))
	v.devices = newDevicePicker(c)
	v.testResult = widget.NewLabel("")
	v.testResult.Wrapping = fyne.TextWrapWord
	v.testButton = widget.NewButtonWithIcon(t("firstrun.test"), theme.MediaPlayIcon(), v.testConnection)
	v.saveButton = widget.NewButtonWithIcon(t("firstrun.save"), theme.ConfirmIcon(), v.save)
	v.saveButton.Importance = widget.HighImportance

	row := func(field, label string, w fyne.CanvasObject) *widget.FormItem {
		msg := widget.NewLabel("")
		msg.Importance = widget.DangerImportance
		msg.SizeName = theme.SizeNameCaptionText
		msg.Wrapping = fyne.TextWrapWord
		msg.Hide()
		v.errs[field] = msg
		return widget.NewFormItem(t(label), container.NewVBox(w, msg))
	}
	sip := widget.NewForm(
		row(fieldServer, "firstrun.server", c.lockable(SettingServer, v.server)),
		row(fieldUser, "firstrun.user", v.user),
		row(fieldAuthUser, "firstrun.authuser", v.authUser),
		row(fieldPassword, "firstrun.password", v.password),
		row(fieldTransport, "firstrun.transport", c.lockable(SettingTransport, v.transport)),
	)
	backend := widget.NewForm(
		row(fieldBackendURL, "firstrun.backend", c.lockable(SettingBackendURL, v.backendURL)),
		row(fieldAgentLogin, "firstrun.agent", v.agentLogin),
		widget.NewFormItem(t("firstrun.token"), v.token),
	)
	keyringNote := widget.NewLabelWithStyle(t("firstrun.keyring"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	keyringNote.Wrapping = fyne.TextWrapWord
	left := container.NewVBox(
		widget.NewCard(t("firstrun.sip"), "", sip),
		widget.NewCard(t("firstrun.backend.title"), "", backend),
	)
	right := container.NewVBox(
		widget.NewCard(t("firstrun.audio"), "", v.devices.root),
		keyringNote,
		v.testResult,
	)
	v.cancel = widget.NewButtonWithIcon(t("firstrun.cancel"), theme.CancelIcon(), v.goBack)
	buttons := container.NewHBox(v.cancel, v.testButton, v.saveButton)
	body := container.NewGridWithColumns(2, left, right)
	v.root = container.NewBorder(
		container.NewPadded(container.NewVBox(heading(t("firstrun.title")), widget.NewLabel(t("firstrun.intro")))),
		container.NewPadded(container.NewBorder(nil, nil, nil, buttons)),
		nil, nil,
		container.NewVScroll(container.NewPadded(body)),
	)
	return v
}

// load fills the form from the saved account.
func (v *firstRunView) load() {
	a := v.c.account
	v.server.SetText(a.Server)
	v.user.SetText(a.User)
	v.authUser.SetText(a.AuthUser)
	tr := a.Transport
	if tr == "" {
		tr = transports[0]
	}
	v.transport.SetSelected(tr)
	v.backendURL.SetText(a.BackendURL)
	v.agentLogin.SetText(a.AgentLogin)
	v.devices.load()
}

// account reads the form.
func (v *firstRunView) account() Account {
	return Account{
		Server:     strings.TrimSpace(v.server.Text),
		User:       strings.TrimSpace(v.user.Text),
		AuthUser:   strings.TrimSpace(v.authUser.Text),
		Password:   v.password.Text,
		Transport:  v.transport.Selected,
		BackendURL: strings.TrimSpace(v.backendURL.Text),
		AgentLogin: strings.TrimSpace(v.agentLogin.Text),
		Token:      v.token.Text,
	}
}

// validate shows each field's problem and reports whether all are fine.
func (v *firstRunView) validate() (Account, bool) {
	a := v.account()
	stored, err := v.c.be.Secrets.Get(SecretSIPPassword)
	bad := validateAccount(a, err != nil || stored == "")
	for field, msg := range v.errs {
		msg.SetText("")
		msg.Hide()
		if key, ok := bad[field]; ok {
			msg.SetText(v.c.tr.T(key))
			msg.Show()
		}
	}
	if a.Password == "" {
		a.Password = stored
	}
	return a, len(bad) == 0
}

func (v *firstRunView) testConnection() {
	a, ok := v.validate()
	if !ok {
		v.testResult.SetText(v.c.tr.T("firstrun.fixfields"))
		return
	}
	v.testResult.SetText(v.c.tr.T("firstrun.testing", a.Server))
	v.testButton.Disable()
	v.c.async(func(ctx context.Context) func() {
		err := v.c.be.Phone.Register(ctx, a)
		return func() {
			v.testButton.Enable()
			if err != nil {
				v.testResult.SetText(v.c.tr.T("firstrun.test.fail", err.Error()))
				return
			}
			v.testResult.SetText(v.c.tr.T("firstrun.test.ok", a.Server))
		}
	})
}

// save stores secrets in the keyring, the rest in the config, then moves on
// to the pre-shift check.
func (v *firstRunView) save() {
	a, ok := v.validate()
	if !ok {
		v.testResult.SetText(v.c.tr.T("firstrun.fixfields"))
		return
	}
	if err := v.c.saveAccount(a); err != nil {
		v.testResult.SetText(err.Error())
		return
	}
	v.c.settings = v.devices.apply(v.c.settings)
	if err := v.c.be.Config.SaveSettings(v.c.settings); err != nil {
		v.testResult.SetText(v.c.tr.T("err.save", err.Error()))
		return
	}
	v.password.SetText("")
	v.token.SetText("")
	v.leave()
}

// goBack leaves the form without saving.
func (v *firstRunView) goBack() {
	v.password.SetText("")
	v.token.SetText("")
	v.leave()
}

// leave returns to the screen the agent opened the account from.
func (v *firstRunView) leave() {
	if v.back == screenHome {
		v.c.showHome()
		return
	}
	v.c.showPrecheck()
}

// saveAccount puts the secrets in the keyring and the rest in the config;
// the returned error is a translated one-line message.
func (c *Controller) saveAccount(a Account) error {
	if a.Password != "" {
		if err := c.be.Secrets.Set(SecretSIPPassword, a.Password); err != nil {
			return errorf(c.tr.T("err.keyring", err.Error()))
		}
	}
	if a.Token != "" {
		if err := c.be.Secrets.Set(SecretBackendToken, a.Token); err != nil {
			return errorf(c.tr.T("err.keyring", err.Error()))
		}
	}
	a.Password, a.Token = "", ""
	if err := c.be.Config.SaveAccount(a); err != nil {
		return errorf(c.tr.T("err.save", err.Error()))
	}
	c.account = a
	return nil
}
