package main

func (b *bench) scenarioTry() error {
	for _, name := range []string{minSSESystem, barePBSystem} {
		if _, err := b.idleMemory(name, 5000); err != nil {
			return err
		}
	}
	s, err := b.start(barePBSystem, 8)
	if err != nil {
		return err
	}
	defer b.stop(s)
	for range 2 {
		r, err := postLoad(s, 200, 100, 6e9)
		if err != nil {
			return err
		}
		println(r.requests, r.failures, milliseconds(r.cpuPerRequest), milliseconds(percentile(r.latency, 0.99)))
	}
	c, err := b.sqliteInsertCost(2000)
	println("insert", milliseconds(c))
	h, err := bcryptCost(8, 20)
	println("bcrypt", milliseconds(h))
	return err
}
