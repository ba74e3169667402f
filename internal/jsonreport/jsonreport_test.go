package jsonreport

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSecondsAndLists(t *testing.T) {
	v := struct {
		D Seconds  `json:"duration_seconds"`
		L []string `json:"list"`
	}{Seconds(30306400 * time.Microsecond), List[string](nil)}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"duration_seconds":30.306,"list":[]}` {
		t.Fatalf("%s %v", b, err)
	}
	var back struct {
		D Seconds `json:"duration_seconds"`
	}
	if err := json.Unmarshal(b, &back); err != nil || time.Duration(back.D) != 30306*time.Millisecond {
		t.Fatalf("%v %v", back.D, err)
	}
}
