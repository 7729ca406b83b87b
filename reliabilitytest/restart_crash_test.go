package reliabilitytest

import (
	"context"
	"net/http"
	"testing"
)

// TestTokensSurviveKill checks the harness and the sign-in state it relies
// on: tokens seeded before the first start are live, and stay live after the
// process is killed and started again on the same data folder.
func TestTokensSurviveKill(t *testing.T) {
	study := seedStudy(t, 1)
	ctx := context.Background()

	var me struct {
		Items []struct {
			ID    string `json:"id"`
			Alias string `json:"alias"`
		} `json:"items"`
	}
	first := startServer(t, study.dataDir)
	status, err := first.do(ctx, http.MethodGet, "/api/collections/users/records", study.participants[0].token, nil, &me)
	if err != nil || status != http.StatusOK {
		t.Fatalf("list own user before kill: status %d, %v", status, err)
	}
	if len(me.Items) != 1 || me.Items[0].ID != study.participants[0].id {
		t.Fatalf("list own user before kill = %+v, want only %s", me.Items, study.participants[0].id)
	}
	first.kill()

	second := startServer(t, study.dataDir)
	me.Items = nil
	status, err = second.do(ctx, http.MethodGet, "/api/collections/users/records", study.participants[0].token, nil, &me)
	if err != nil || status != http.StatusOK {
		t.Fatalf("list own user after restart: status %d, %v", status, err)
	}
	if len(me.Items) != 1 || me.Items[0].ID != study.participants[0].id {
		t.Errorf("list own user after restart = %+v, want only %s", me.Items, study.participants[0].id)
	}
}
