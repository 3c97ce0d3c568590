package server

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/homeshore/homeshore/server/api"
)

// standardStates come first among the state columns of the CSV export.
var standardStates = []string{api.StateAvailable, api.StateOnCall, api.StateWrapUp, api.StateNotReady, api.StateBreak}

// handleIndicatorsCSV: GET /v1/indicators.csv, the same figures as
// /v1/indicators as one CSV table: queue rows, then agent rows. Columns for
// states, dispositions and failed checks are those that occur.
func (s *Server) handleIndicatorsCSV(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("indicators are for supervisors"))
		return
	}
	from, to, queue, err := s.indicatorRange(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.indicatorsReport(r.Context(), p, from, to, queue)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := append(slices.Clone(rep.Queues), rep.Agents...)
	states := slices.Clone(standardStates)
	var disps, checks []string
	for _, row := range rows {
		for k := range row.StateSeconds {
			if !slices.Contains(states, k) {
				states = append(states, k)
			}
		}
		for k := range row.Dispositions {
			if !slices.Contains(disps, k) {
				disps = append(disps, k)
			}
		}
		for k := range row.PrecheckFailuresByCheck {
			if !slices.Contains(checks, k) {
				checks = append(checks, k)
			}
		}
	}
	slices.Sort(states[len(standardStates):])
	slices.Sort(disps)
	slices.Sort(checks)
	head := []string{"scope", "queue", "username", "display_name", "from", "to", "calls_handled", "calls_missed", "inbound", "outbound",
		"avg_handle_seconds", "talk_seconds", "wrap_up_seconds", "avg_mos", "precheck_failures"}
	for _, st := range states {
		head = append(head, "state_seconds."+st)
	}
	for _, d := range disps {
		head = append(head, "dispositions."+d)
	}
	for _, c := range checks {
		head = append(head, "precheck_failures_by_check."+c)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="homeshore-indicators-`+rep.From+`_`+rep.To+`.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	_ = cw.Write(head)
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, row := range rows {
		scope := "agent"
		if row.Queue != "" {
			scope = "queue"
		}
		rec := []string{scope, cell(row.Queue), cell(row.Username), cell(row.DisplayName), rep.From, rep.To,
			strconv.Itoa(row.CallsHandled), strconv.Itoa(row.CallsMissed), strconv.Itoa(row.Inbound), strconv.Itoa(row.Outbound),
			num(row.AvgHandleSeconds), num(row.TalkSeconds), num(row.WrapUpSeconds), num(row.AvgMOS), strconv.Itoa(row.PrecheckFailures)}
		for _, st := range states {
			rec = append(rec, num(row.StateSeconds[st]))
		}
		for _, d := range disps {
			rec = append(rec, strconv.Itoa(row.Dispositions[d]))
		}
		for _, c := range checks {
			rec = append(rec, strconv.Itoa(row.PrecheckFailuresByCheck[c]))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("indicators export cut off", "err", err)
	}
}

// cell keeps a text cell from being read as a formula by a spreadsheet.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
