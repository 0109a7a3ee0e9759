package directory

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// Schedule is a parsed duty-hours text: always on duty, or a set of weekly
// windows in the authority's local time.
type Schedule struct {
	Always  bool
	Windows []Window
}

// Window is one weekly duty window. End <= Start means the window runs past
// midnight into the next day (a night shift "22:00-06:00" belongs to the
// day it starts on). Minutes count from local midnight; End may be 1440.
type Window struct {
	Days       [7]bool // indexed by time.Weekday
	Start, End int
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseDutyHours parses duty hours as written in the directory:
//
//	24/7
//	Mon-Fri 08:00-18:00
//	Mon-Fri 08:00-18:00; Sat,Sun 10:00-14:00
//	Mon-Sun 22:00-06:00        (night shift, past midnight)
//
// Days are three-letter English abbreviations, single, a range (Mon-Fri,
// Fri-Mon wraps) or a comma list; windows are separated by ";". Times are
// HH:MM in 24-hour local time; 24:00 is allowed as an end.
func ParseDutyHours(s string) (Schedule, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "24/7") {
		return Schedule{Always: true}, nil
	}
	if s == "" {
		return Schedule{}, dutyErr(s, "it is empty", "write 24/7 or windows like \"Mon-Fri 08:00-18:00\"")
	}
	var sch Schedule
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		days, times, ok := strings.Cut(part, " ")
		if !ok {
			return Schedule{}, dutyErr(s, fmt.Sprintf("window %q has no time range", part), "write days then HH:MM-HH:MM, e.g. \"Mon-Fri 08:00-18:00\"")
		}
		var w Window
		if err := parseDays(s, strings.TrimSpace(days), &w.Days); err != nil {
			return Schedule{}, err
		}
		from, to, ok := strings.Cut(strings.TrimSpace(times), "-")
		if !ok {
			return Schedule{}, dutyErr(s, fmt.Sprintf("time range %q has no \"-\"", times), "write HH:MM-HH:MM, e.g. 08:00-18:00")
		}
		var err error
		if w.Start, err = parseClock(s, from, false); err != nil {
			return Schedule{}, err
		}
		if w.End, err = parseClock(s, to, true); err != nil {
			return Schedule{}, err
		}
		if w.Start == w.End {
			return Schedule{}, dutyErr(s, fmt.Sprintf("window %q starts and ends at the same time", part), "for round-the-clock duty write 24/7")
		}
		sch.Windows = append(sch.Windows, w)
	}
	if len(sch.Windows) == 0 {
		return Schedule{}, dutyErr(s, "it has no window", "write 24/7 or windows like \"Mon-Fri 08:00-18:00\"")
	}
	return sch, nil
}

func dutyErr(s, why, fix string) error {
	return apperr.Errorf(apperr.EInvalid, "duty_hours %q: %s; %s", s, why, fix)
}

func parseDays(s, days string, out *[7]bool) error {
	if days == "" {
		return dutyErr(s, "a window names no days", "start each window with days, e.g. Mon-Fri")
	}
	for item := range strings.SplitSeq(days, ",") {
		a, b, isRange := strings.Cut(strings.TrimSpace(item), "-")
		from, ok := dayNames[strings.ToLower(a)]
		if !ok {
			return dutyErr(s, fmt.Sprintf("%q is not a day", a), "use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
		}
		to := from
		if isRange {
			if to, ok = dayNames[strings.ToLower(b)]; !ok {
				return dutyErr(s, fmt.Sprintf("%q is not a day", b), "use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
			}
		}
		for d := from; ; d = (d + 1) % 7 {
			out[d] = true
			if d == to {
				break
			}
		}
	}
	return nil
}

func parseClock(s, hhmm string, isEnd bool) (int, error) {
	hhmm = strings.TrimSpace(hhmm)
	h, m, ok := strings.Cut(hhmm, ":")
	if ok && len(h) == 2 && len(m) == 2 {
		hi, err1 := strconv.Atoi(h)
		mi, err2 := strconv.Atoi(m)
		if err1 == nil && err2 == nil && hi >= 0 && mi >= 0 && mi < 60 &&
			(hi < 24 || (isEnd && hi == 24 && mi == 0)) {
			return hi*60 + mi, nil
		}
	}
	return 0, dutyErr(s, fmt.Sprintf("%q is not a time of day", hhmm), "write HH:MM from 00:00 to 23:59 (24:00 allowed as an end)")
}

// Covers reports whether the schedule has someone on duty at local, which
// must already be in the authority's time zone.
func (sch Schedule) Covers(local time.Time) bool {
	if sch.Always {
		return true
	}
	day := local.Weekday()
	prev := (day + 6) % 7
	min := local.Hour()*60 + local.Minute()
	for _, w := range sch.Windows {
		if w.End > w.Start {
			if w.Days[day] && min >= w.Start && min < w.End {
				return true
			}
			continue
		}
		// Past midnight: the evening part on the start day, the morning
		// part on the day after.
		if (w.Days[day] && min >= w.Start) || (w.Days[prev] && min < w.End) {
			return true
		}
	}
	return false
}
