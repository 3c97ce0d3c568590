// Package assets embeds the translations and sounds the app ships with
// (icons are made by the packaging step).
package assets

import "embed"

// I18n holds i18n/<lang>.json: flat maps from message key to text, with
// fmt verbs for arguments.
//
//go:embed i18n/*.json
var I18n embed.FS

// Sounds holds sounds/*.wav (the ringtones).
//
//go:embed sounds/*.wav
var Sounds embed.FS
