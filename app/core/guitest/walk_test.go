package guitest

import (
	"reflect"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// The driver finds widgets the way a person does: by what they show. It
// walks containers and the exported fields of widgets (Card.Content,
// Scroll.Content, Form items...), skipping what is hidden. It runs on the
// Fyne thread only (inside fyne.DoAndWait).

var canvasObjectType = reflect.TypeOf((*fyne.CanvasObject)(nil)).Elem()

func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	seen := map[uintptr]bool{}
	var rec func(o fyne.CanvasObject)
	var fields func(v reflect.Value, depth int)
	rec = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if rv := reflect.ValueOf(o); rv.Kind() == reflect.Pointer {
			if rv.IsNil() || seen[rv.Pointer()] {
				return
			}
			seen[rv.Pointer()] = true
		}
		visit(o)
		if c, ok := o.(*fyne.Container); ok {
			for _, child := range c.Objects {
				rec(child)
			}
			return
		}
		fields(reflect.ValueOf(o), 0)
	}
	fields = func(v reflect.Value, depth int) {
		if depth > 4 {
			return
		}
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() || !v.CanInterface() {
				return
			}
			if depth > 0 && v.Type().Implements(canvasObjectType) {
				rec(v.Interface().(fyne.CanvasObject))
				return
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				if f := t.Field(i); f.IsExported() && !f.Anonymous {
					fields(v.Field(i), depth+1)
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				fields(v.Index(i), depth+1)
			}
		}
	}
	rec(o)
}

// findButton returns the visible button labelled text: a Button, or the
// app's own button built on one (the check's Start reading, Yes, No).
func findButton(root fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(root, func(o fyne.CanvasObject) {
		if b := asButton(o); b != nil && found == nil && b.Text == text {
			found = b
		}
	})
	return found
}

// asButton is o as a button, also when it embeds widget.Button.
func asButton(o fyne.CanvasObject) *widget.Button {
	if b, ok := o.(*widget.Button); ok {
		return b
	}
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Button")
	if !f.IsValid() || f.Type() != reflect.TypeOf(widget.Button{}) || !f.CanAddr() {
		return nil
	}
	return f.Addr().Interface().(*widget.Button)
}

// findSelect returns the visible select with this placeholder.
func findSelect(root fyne.CanvasObject, placeholder string) *widget.Select {
	var found *widget.Select
	walk(root, func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok && found == nil && s.PlaceHolder == placeholder {
			found = s
		}
	})
	return found
}

// hasText reports whether a visible label or text starts with prefix.
func hasText(root fyne.CanvasObject, prefix string) bool {
	found := false
	walk(root, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			found = found || strings.HasPrefix(o.Text, prefix)
		case *canvas.Text:
			found = found || strings.HasPrefix(o.Text, prefix)
		case *widget.RichText:
			found = found || strings.HasPrefix(o.String(), prefix)
		}
	})
	return found
}

// describe lists what the window shows, for failure messages.
func describe(root fyne.CanvasObject) string {
	var parts []string
	walk(root, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Button:
			parts = append(parts, "button "+strconv.Quote(o.Text))
		case *widget.Label:
			if o.Text != "" {
				parts = append(parts, "label "+strconv.Quote(o.Text))
			}
		case *widget.Select:
			parts = append(parts, "select "+strconv.Quote(o.PlaceHolder))
		}
	})
	return strings.Join(parts, ", ")
}

// findEntry returns the visible text field (an Entry, or the app's own
// entry built on it) with this placeholder.
func findEntry(root fyne.CanvasObject, placeholder string) textField {
	var found textField
	walk(root, func(o fyne.CanvasObject) {
		e, ok := o.(textField)
		if !ok || found != nil {
			return
		}
		v := reflect.ValueOf(o)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return
		}
		if f := v.Elem().FieldByName("PlaceHolder"); f.IsValid() && f.Kind() == reflect.String && f.String() == placeholder {
			found = e
		}
	})
	return found
}

// textField is an entry as the driver types into it.
type textField interface {
	fyne.CanvasObject
	SetText(string)
}

// findSelectWith returns the visible select offering option.
func findSelectWith(root fyne.CanvasObject, option string) *widget.Select {
	var found *widget.Select
	walk(root, func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok && found == nil {
			for _, opt := range s.Options {
				if opt == option {
					found = s
				}
			}
		}
	})
	return found
}

// menuAction finds a pop-up menu item labelled text (a menu item widget
// holds its *fyne.MenuItem in the exported field Item).
func menuAction(root fyne.CanvasObject, text string) func() {
	var action func()
	visit := func(o fyne.CanvasObject) {
		v := reflect.ValueOf(o)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return
		}
		f := v.Elem().FieldByName("Item")
		if !f.IsValid() || !f.CanInterface() {
			return
		}
		if it, ok := f.Interface().(*fyne.MenuItem); ok && it != nil && it.Label == text && action == nil {
			action = it.Action
		}
	}
	walk(root, func(o fyne.CanvasObject) {
		visit(o)
		// A pop-up menu keeps its items in the Menu it embeds.
		if pm, ok := o.(*widget.PopUpMenu); ok && pm.Menu != nil {
			for _, it := range pm.Items {
				visit(it)
			}
		}
	})
	return action
}

// formValue is the text of the label beside a form item's name.
func formValue(root fyne.CanvasObject, name string) string {
	value := ""
	walk(root, func(o fyne.CanvasObject) {
		if f, ok := o.(*widget.Form); ok {
			for _, it := range f.Items {
				if l, ok := it.Widget.(*widget.Label); ok && it.Text == name && value == "" {
					value = l.Text
				}
			}
		}
	})
	return value
}

// labelWith returns the text of a visible label starting with prefix.
func labelWith(root fyne.CanvasObject, prefix string) string {
	text := ""
	walk(root, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && text == "" && strings.HasPrefix(l.Text, prefix) {
			text = l.Text
		}
		if c, ok := o.(*widget.Card); ok && text == "" && strings.HasPrefix(c.Subtitle, prefix) {
			text = c.Subtitle
		}
	})
	return text
}
