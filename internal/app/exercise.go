package app

import (
	"context"
	"crypto/ed25519"

	"github.com/art35/art35/internal/web"

	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/node"
)

// Exercise returns the exercise service of a node, not yet registered on
// it. secretariat is the secretariat's private key on the secretariat's
// node (it opens, closes and plays exercises), nil on every other node.
func Exercise(n *node.Node, secretariat ed25519.PrivateKey) *exercise.Service {
	return &exercise.Service{DB: n.DB, Clock: n.Clock, Log: n.Log, Send: n.Send, Directory: n.Directory, Cases: n.Cases,
		Party: n.Config.Party, Authority: n.Config.Authority, SecretariatKey: n.Config.SecretariatKey, Signer: secretariat}
}

// RegisterExercise returns the exercise service of n, registered on it:
// announcements are read on arrival and exercise envelopes followed.
func RegisterExercise(n *node.Node, secretariat ed25519.PrivateKey) *exercise.Service {
	return Exercise(n, secretariat).Register(n)
}

// ExerciseBanner answers the portal's question of every page (see
// exercise.Service.Banner).
func ExerciseBanner(x *exercise.Service) web.ExerciseFunc {
	return func(ctx context.Context, caseID string) (web.ExerciseInfo, bool, error) {
		b, ok, err := x.Banner(ctx, caseID)
		return web.ExerciseInfo(b), ok, err
	}
}
