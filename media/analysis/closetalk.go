package analysis

import (
	"math"
	"sort"
)

// CloseTalk describes how near the microphone is to the talker's mouth, from
// the read-a-sentence capture and the silent-room capture (both at the
// input's gain).
type CloseTalk struct {
	// SpeechToRoomDB: active speech level over the room's steady background
	// (both A-weighted). A boom 3 cm from the mouth hears the voice about
	// 25 dB louder than a laptop 50 cm away, while the room's noise reaches
	// both alike.
	SpeechToRoomDB float64 `json:"speech_to_room_db"`
	// SpeechToGapsDB: active speech level over the quietest tenth of the
	// speech capture itself (same gain, so an AGC cannot move it): the gaps
	// between words fall to the room's floor near the mouth and are filled by
	// reverberation far from it.
	SpeechToGapsDB float64 `json:"speech_to_gaps_db"`
	// DecayDB: how far the level falls within 50 ms of the loud parts of the
	// speech (90th percentile): close to the mouth the direct sound dominates
	// and offsets are abrupt; far away the room's tail carries on, falling
	// only 60 dB per T60.
	DecayDB float64 `json:"decay_db"`
	// ActiveSeconds is how much speech was heard.
	ActiveSeconds float64 `json:"active_seconds"`
}

const (
	ctFrameMS   = 5
	ctDecayMS   = 50
	ctLoudDB    = 6  // frames within this of the active level are "loud"
	ctGapsShare = 10 // percentile of the frame levels taken as the gaps
)

// MeasureCloseTalk measures speech (the agent reading) against room (the
// agent silent). It needs at least a second of active speech; with less,
// ActiveSeconds says so and the other figures are zero.
func MeasureCloseTalk(speech, room []float32) CloseTalk {
	var ct CloseTalk
	if len(speech) == 0 {
		return ct
	}
	a := NewAWeighting().Process(speech)
	sp := SpeechLevel(a)
	ct.ActiveSeconds = math.Round(10*sp.ActivityPercent/100*float64(len(speech))/SampleRate) / 10
	if sp.ActiveLevelDBFS <= Floor || ct.ActiveSeconds < 1 {
		return ct
	}
	if len(room) > 0 {
		ct.SpeechToRoomDB = round1(sp.ActiveLevelDBFS - RoomLevels(room).L90A)
	}
	// 5 ms frame levels of the A-weighted speech, after the filter settles.
	fl := ctFrameMS * SampleRate / 1000
	skip := min(len(a), int(3*FastTau*SampleRate))
	var lv []float64
	for i := skip; i+fl <= len(a); i += fl {
		var p float64
		for _, v := range a[i : i+fl] {
			p += float64(v) * float64(v)
		}
		lv = append(lv, DB(p/float64(fl)))
	}
	if len(lv) == 0 {
		return ct
	}
	// 20 ms levels for the gaps: 4 frames each.
	var lv20 []float64
	for i := 0; i+4 <= len(lv); i += 4 {
		p := 0.0
		for _, d := range lv[i : i+4] {
			p += math.Pow(10, d/10)
		}
		lv20 = append(lv20, DB(p/4))
	}
	if len(lv20) > 0 {
		s := append([]float64(nil), lv20...)
		sort.Float64s(s)
		ct.SpeechToGapsDB = round1(sp.ActiveLevelDBFS - s[len(s)*ctGapsShare/100])
	}
	span := ctDecayMS / ctFrameMS
	var drops []float64
	for i := 0; i+span < len(lv); i++ {
		if lv[i] < sp.ActiveLevelDBFS-ctLoudDB {
			continue
		}
		lo := lv[i+1]
		for _, d := range lv[i+2 : i+span+1] {
			lo = math.Min(lo, d)
		}
		drops = append(drops, lv[i]-lo)
	}
	if len(drops) > 0 {
		sort.Float64s(drops)
		ct.DecayDB = round1(drops[len(drops)*9/10])
	}
	return ct
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
