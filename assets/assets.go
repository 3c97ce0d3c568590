// Package assets embeds the sounds the app ships with (translations are in
// assets/i18n; icons are made by the packaging step).
package assets

import "embed"

// Sounds holds sounds/*.wav (the ringtones).
//
//go:embed sounds/*.wav
var Sounds embed.FS
