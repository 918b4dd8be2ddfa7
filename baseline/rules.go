package baseline

import "github.com/rmm-pal/rmm/check"

// Rules are the change-control rules of `rmm check`.
func Rules() []check.Rule { return nil }
