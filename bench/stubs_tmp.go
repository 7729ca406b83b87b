package main

func (b *bench) scenarioSignIn() error    { return nil }

type twilioFake struct{ url string }

var fakeTwilio *twilioFake

func (b *bench) scenarioTry() error {
	for _, n := range []int{30, 2000} {
		if _, err := b.fanoutOnce(minSSESystem, 8, n, 20e9, 10e9); err != nil {
			return err
		}
	}
	if _, err := b.fanoutOnce(minSSESystem, 8, 600, 2e9, 10e9); err != nil {
		return err
	}
	if _, err := b.fanoutOnce(barePBSystem, 15, 30, 20e9, 10e9); err != nil {
		return err
	}
	if _, err := b.fanoutOnce(barePBSystem, 8, 2000, 20e9, 5e9); err != nil {
		return err
	}
	return nil
}
