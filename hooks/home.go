package hooks

// bindHome is not built yet.
func (h *Hearth) bindHome() {}
