package hooks

// bindExport is not built yet.
func (h *Hearth) bindExport() {}
