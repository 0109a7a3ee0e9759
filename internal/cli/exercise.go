package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/exercise"
)

// ExerciseShown is "exercise show": one exercise with its cases on this
// node.
type ExerciseShown struct {
	*exercise.Exercise
	Cases []exercise.Case `json:"cases"`
}

// PrintExercise prints an exercise (*exercise.Exercise), a list of them
// or an ExerciseShown as text, one row an exercise.
func PrintExercise(w io.Writer, v any) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(x *exercise.Exercise) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s - %s\t%d participant(s)\n", x.ID, x.State, x.Role, x.Name,
			x.Starts.Format(time.RFC3339), x.Ends.Format(time.RFC3339), len(x.Participants))
	}
	switch x := v.(type) {
	case *exercise.Exercise:
		row(x)
	case []exercise.Exercise:
		if len(x) == 0 {
			fmt.Fprintln(tw, "no exercise on this node")
		}
		for i := range x {
			row(&x[i])
		}
	case ExerciseShown:
		row(x.Exercise)
		fmt.Fprintf(tw, "cases:\n")
		for _, c := range x.Cases {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.ID, c.Direction, c.Type, c.State, archivedWord(c.Archived))
		}
	}
	return tw.Flush()
}

func archivedWord(t time.Time) string {
	if t.IsZero() {
		return "live"
	}
	return "archived " + t.Format(time.RFC3339)
}

// PrintPlayed prints the line "exercise play" gives as each inject is
// sent.
func PrintPlayed(w io.Writer, p exercise.Played) {
	fmt.Fprintf(w, "minute %d: %s to %s sent (%s%s)\n", p.Minute, p.Kind, p.Target, p.CaseID, p.PingID)
}
