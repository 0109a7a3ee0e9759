// Package chrome holds the browser actions the portal's browser tests
// (internal/web) and its benchmark (bench/portal) share: what a person
// does with a control, made independent of where the control happens to
// be drawn at the instant of the click.
package chrome

import (
	"context"
	"fmt"
	"strconv"

	"github.com/chromedp/chromedp"
)

// Tick clicks a checkbox as a person would, and again if the click landed
// while the page was still being laid out: one interaction, the box ends
// up ticked once.
func Tick(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for range 10 {
			if _, err := chromedp.ScrollIntoView(sel, chromedp.NodeVisible)(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			if _, err := chromedp.Click(sel, chromedp.NodeVisible)(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			if ok, err := chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(sel)+`).checked`)(ctx, t); err == nil && ok {
				return chromedp.Void{}, nil
			}
		}
		return chromedp.Void{}, fmt.Errorf("%s does not stay ticked", sel)
	}
}

// Press presses a button once it is visible: the button's own click()
// (the form's validation and submission run as for a mouse click), not a
// click at the coordinates the button had a moment before. On a long page
// (the preview, with the letter in a frame) the layout may still move when
// the coordinates are taken, and a click at them then lands beside the
// button and nothing is sent; a person would simply click again.
func Press(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.ScrollIntoView(sel, chromedp.NodeVisible)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		ok, err := chromedp.Evaluate[bool](`(function (b) { if (!b || b.disabled) { return false; } b.click(); return true; })(document.querySelector(`+strconv.Quote(sel)+`))`)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		if !ok {
			return chromedp.Void{}, fmt.Errorf("%s is not a button that can be pressed", sel)
		}
		return chromedp.Void{}, nil
	}
}
