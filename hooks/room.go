package hooks

// bindRoom is not built yet.
func (h *Hearth) bindRoom() {}
