package build

import "context"

// addPrebuilt publishes the prebuilt zips (temporary: wired when internal/prebuilt lands).
func (b *builder) addPrebuilt(ctx context.Context) (map[string]bool, error) {
	return map[string]bool{}, nil
}

