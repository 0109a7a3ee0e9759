package node

import (
	"context"
	"database/sql"

	"github.com/art35/art35/internal/envelope"
)

// exerciseHooks let the exercise service (internal/exercise) follow the
// envelopes of an exercise without the node knowing exercises: tag runs
// before an outgoing envelope is sealed (an answer to an exercise
// envelope is an exercise envelope too), record inside the transaction
// that queues or stores every envelope (it names the exercise).
type exerciseHooks struct {
	tag    func(ctx context.Context, h envelope.Header) (envelope.Header, error)
	record func(ctx context.Context, tx *sql.Tx, h envelope.Header, outgoing bool) error
}

// SetExerciseHooks installs the exercise service's hooks (see
// exercise.Service.Register). Call it before Run.
func (n *Node) SetExerciseHooks(tag func(ctx context.Context, h envelope.Header) (envelope.Header, error),
	record func(ctx context.Context, tx *sql.Tx, h envelope.Header, outgoing bool) error) {
	n.exercise = exerciseHooks{tag: tag, record: record}
}

func (n *Node) tagExercise(ctx context.Context, h envelope.Header) (envelope.Header, error) {
	if n.exercise.tag == nil {
		return h, nil
	}
	return n.exercise.tag(ctx, h)
}

func (n *Node) recordExercise(ctx context.Context, tx *sql.Tx, h envelope.Header, outgoing bool) error {
	if n.exercise.record == nil {
		return nil
	}
	return n.exercise.record(ctx, tx, h, outgoing)
}
