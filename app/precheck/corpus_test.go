package precheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

type corpusCase struct {
	name      string
	room, mic Verdict
	what      string
	miss      Verdict // known miss: the room verdict the check gives today
}

func corpusCases(t *testing.T) []corpusCase {
	f, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 4 && len(p) != 5 {
			t.Fatalf("corpus.tsv: bad line %q", line)
		}
		c := corpusCase{name: p[0], room: Verdict(p[1]), mic: Verdict(p[2]), what: p[3]}
		if len(p) == 5 {
			c.miss = Verdict(p[4])
		}
		cases = append(cases, c)
	}
	return cases
}

// TestRoomCorpusVerdicts runs the room and microphone judgement on every
// labelled case and asserts its verdict; a known miss asserts the verdict we
// get today (so a change is noticed) and counts as wrong in the accuracy.
// With HOMESHORE_CORPUS_TABLE=FILE it writes the accuracy table (markdown)
// published in docs/precheck.md.
func TestRoomCorpusVerdicts(t *testing.T) {
	dir := corpus(t)
	pol := config.DefaultPolicy().Checks
	var table strings.Builder
	table.WriteString("| case | stands for | expected room | got | expected mic | got | L90 | L10 | Lmax (dBFS A) | voiced ms / segments |\n|---|---|---|---|---|---|---|---|---|---|\n")
	right := 0
	cases := corpusCases(t)
	for _, c := range cases {
		pcm, err := readWAV(filepath.Join(dir, c.name+".wav"))
		if err != nil {
			t.Fatal(err)
		}
		x := analysis.Int16ToFloat(pcm)
		room := judgeRoom(x, pol, nil)
		mic := judgeMic(x, nil, false, pol.Microphone)
		if room.Verdict == c.room && mic.Verdict == c.mic {
			right++
		}
		wantRoom := c.room
		if c.miss != "" {
			wantRoom = c.miss
		}
		if room.Verdict != wantRoom || mic.Verdict != c.mic {
			t.Errorf("%s (%s): room %s, mic %s; want %s, %s; findings %v %v", c.name, c.what, room.Verdict, mic.Verdict, wantRoom, c.mic, room.Findings, mic.Findings)
		}
		l90, l10, lmax, voice := "-", "-", "-", "-"
		if f, ok := room.Figures.(*RoomFigures); ok {
			l90, l10, lmax = fmt.Sprintf("%.1f", f.L90A), fmt.Sprintf("%.1f", f.L10A), fmt.Sprintf("%.1f", f.LmaxA)
			voice = fmt.Sprintf("%d / %d", f.Voice.VoicedMS, f.Voice.Segments)
		}
		fmt.Fprintf(&table, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, c.what, c.room, room.Verdict, c.mic, mic.Verdict, l90, l10, lmax, voice)
	}
	fmt.Fprintf(&table, "\nAccuracy: %d of %d cases (%.0f %%).\n", right, len(cases), 100*float64(right)/float64(len(cases)))
	t.Log("\n" + table.String())
	if p := os.Getenv("HOMESHORE_CORPUS_TABLE"); p != "" {
		if err := os.WriteFile(p, []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
