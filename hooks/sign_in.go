package hooks

// bindSignIn is not built yet.
func (h *Hearth) bindSignIn() {}
