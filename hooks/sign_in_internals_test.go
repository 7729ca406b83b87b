package hooks

// DummyCodeComparisons returns how many codes have been compared with the
// dummy hash, for the tests in package hooks_test.
func (h *Hearth) DummyCodeComparisons() int64 {
	return h.signInState().dummyHash.comparisons.Load()
}

// DummyCodeHash returns the bcrypt hash that codes are compared with when
// their otpId has no live code behind it.
func (h *Hearth) DummyCodeHash() (string, error) {
	otp, err := h.signInState().dummyHash.get(h.app)
	if err != nil {
		return "", err
	}
	return otp.GetString("password:hash"), nil
}
