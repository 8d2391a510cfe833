package curreader

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cleanBenchFixtures()
	os.Exit(code)
}
