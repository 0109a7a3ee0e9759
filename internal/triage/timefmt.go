package triage

import "bytes"

// findTime looks for a timestamp on a log line: the common log format
// "[10/Oct/2026:13:55:36 -0700]" first, then ISO 8601 / RFC 3339
// ("2026-10-10T13:55:36Z", "2026-10-10 13:55:36.123+02:00"). A time
// without a zone is reported as zoneless and not used: SPEC section 5
// treats a time without a zone as an error, not a guess.
func (x *Extractor) findTime(line []byte) (t int64, ok, zoneless bool) {
	for off := 0; off < len(line); {
		i := bytes.IndexByte(line[off:], '[')
		if i < 0 {
			break
		}
		i += off
		if len(line) >= i+27 {
			if t, ok, _ := x.parseCached(line[i+1:i+27], parseCLF); ok {
				return t, true, false
			}
		}
		off = i + 1
	}
	for off := 0; ; {
		j := bytes.IndexByte(line[off:], '-')
		if j < 0 {
			return 0, false, false
		}
		j += off
		if j >= 4 && isoStart(line[j-4:]) {
			end := isoEnd(line, j-4)
			return x.parseCached(line[j-4:end], parseISO)
		}
		off = j + 1
	}
}

// parseCached parses text with fn unless it is the same text as on the
// previous line, which in a log it usually is: this keeps time parsing
// off the profile.
func (x *Extractor) parseCached(text []byte, fn func([]byte) (int64, bool, bool)) (int64, bool, bool) {
	if len(x.lastTS) > 0 && bytes.Equal(text, x.lastTS) {
		return x.lastTime, x.lastOK, false
	}
	t, ok, zl := fn(text)
	if ok {
		x.lastTS = append(x.lastTS[:0], text...)
		x.lastTime, x.lastOK = t, true
	}
	return t, ok, zl
}

func digits(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for _, c := range b[:n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// month parses an English three-letter month abbreviation.
func month(b []byte) (int, bool) {
	if len(b) < 3 {
		return 0, false
	}
	switch string(b[:3]) { // no allocation: the compiler compares in place
	case "Jan":
		return 1, true
	case "Feb":
		return 2, true
	case "Mar":
		return 3, true
	case "Apr":
		return 4, true
	case "May":
		return 5, true
	case "Jun":
		return 6, true
	case "Jul":
		return 7, true
	case "Aug":
		return 8, true
	case "Sep":
		return 9, true
	case "Oct":
		return 10, true
	case "Nov":
		return 11, true
	case "Dec":
		return 12, true
	}
	return 0, false
}

// parseCLF parses "10/Oct/2026:13:55:36 -0700" (exactly 26 bytes).
func parseCLF(b []byte) (int64, bool, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return 0, false, false
	}
	d, ok1 := digits(b, 2)
	mon, ok2 := month(b[3:6])
	y, ok3 := digits(b[7:], 4)
	h, ok4 := digits(b[12:], 2)
	mi, ok5 := digits(b[15:], 2)
	s, ok6 := digits(b[18:], 2)
	zh, ok7 := digits(b[22:], 2)
	zm, ok8 := digits(b[24:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || (b[21] != '+' && b[21] != '-') {
		return 0, false, false
	}
	return mkTime(y, mon, d, h, mi, s, b[21], zh, zm)
}

// mkTime returns Unix seconds for a civil time with a UTC offset. It does
// the calendar arithmetic itself (days from civil, H. Hinnant's
// algorithm) because time.Date showed up in triage profiles; seconds are
// the precision SPEC section 5 asks for.
func mkTime(y, mon, d, h, mi, s int, sign byte, zh, zm int) (int64, bool, bool) {
	if y < 1 || mon < 1 || mon > 12 || d < 1 || d > daysIn(y, mon) || h > 23 || mi > 59 || s > 60 || zh > 23 || zm > 59 {
		return 0, false, false
	}
	yy := y
	if mon <= 2 {
		yy--
	}
	era := yy / 400
	yoe := yy - era*400
	mp := (mon + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468
	off := int64(zh*3600 + zm*60)
	if sign == '-' {
		off = -off
	}
	return days*86400 + int64(h*3600+mi*60+s) - off, true, false
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isoStart reports whether b starts with "YYYY-MM-DD" followed by 'T' or
// a space and "hh:mm:ss".
func isoStart(b []byte) bool {
	if len(b) < 19 {
		return false
	}
	_, ok1 := digits(b, 4)
	_, ok2 := digits(b[5:], 2)
	_, ok3 := digits(b[8:], 2)
	_, ok4 := digits(b[11:], 2)
	_, ok5 := digits(b[14:], 2)
	_, ok6 := digits(b[17:], 2)
	return ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && b[4] == '-' && b[7] == '-' &&
		(b[10] == 'T' || b[10] == ' ' || b[10] == 't') && b[13] == ':' && b[16] == ':'
}

// isoEnd returns the end of the ISO timestamp starting at s: seconds,
// fraction, zone.
func isoEnd(line []byte, s int) int {
	i := s + 19
	if i < len(line) && (line[i] == '.' || line[i] == ',') {
		i++
		for i < len(line) && line[i] >= '0' && line[i] <= '9' {
			i++
		}
	}
	if i < len(line) && line[i] == ' ' && i+1 < len(line) && (line[i+1] == '+' || line[i+1] == '-' || line[i+1] == 'Z') {
		i++ // "2026-11-25 01:02:03 +0000"
	}
	if i < len(line) {
		switch line[i] {
		case 'Z', 'z':
			return i + 1
		case '+', '-':
			j := i + 1
			for j < len(line) && j < i+6 && (line[j] >= '0' && line[j] <= '9' || line[j] == ':') {
				j++
			}
			return j
		}
	}
	return i
}

// parseISO parses the text isoEnd delimited.
func parseISO(b []byte) (int64, bool, bool) {
	if !isoStart(b) {
		return 0, false, false
	}
	y, _ := digits(b, 4)
	mo, _ := digits(b[5:], 2)
	d, _ := digits(b[8:], 2)
	h, _ := digits(b[11:], 2)
	mi, _ := digits(b[14:], 2)
	s, _ := digits(b[17:], 2)
	i := 19
	if i < len(b) && (b[i] == '.' || b[i] == ',') { // fraction: seconds are the precision kept
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && b[i] == ' ' {
		i++
	}
	if i >= len(b) {
		return 0, false, true // no zone: refuse to guess
	}
	switch b[i] {
	case 'Z', 'z':
		return mkTime(y, mo, d, h, mi, s, '+', 0, 0)
	case '+', '-':
		z := bytes.ReplaceAll(b[i+1:], []byte(":"), nil)
		zh, ok := digits(z, 2)
		if !ok {
			return 0, false, false
		}
		zm := 0
		if len(z) >= 4 {
			if zm, ok = digits(z[2:], 2); !ok {
				return 0, false, false
			}
		}
		return mkTime(y, mo, d, h, mi, s, b[i], zh, zm)
	}
	return 0, false, true
}
