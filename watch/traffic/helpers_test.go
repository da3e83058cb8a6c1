package traffic

import "os"

// osMkdirTemp is a directory for the shared recording, removed by TestMain.
func osMkdirTemp() (string, error) {
	d, err := os.MkdirTemp("", "traffic-test-")
	if err == nil {
		tempDirs = append(tempDirs, d)
	}
	return d, err
}

var tempDirs []string
