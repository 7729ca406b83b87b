package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestEnrolmentCreatesUser(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenarios := []struct {
		name      string
		body      string
		status    int
		expected  []string
		wantUsers int64
	}{
		{
			name:      "phone, last name, alias and role only",
			body:      `{"phone":"(201) 555-0150","last_name":"Kowalski","alias":"P150","role":"participant"}`,
			status:    http.StatusOK,
			expected:  []string{`"phone":"+12015550150"`, `"user":"`},
			wantUsers: 7,
		},
		{
			name:      "invalid phone saves nothing",
			body:      `{"phone":"12345","last_name":"Kowalski","alias":"P150","role":"participant"}`,
			status:    http.StatusBadRequest,
			expected:  []string{`"phone":{"code":"validation_invalid_phone"`},
			wantUsers: 6,
		},
		{
			name:      "taken alias saves nothing",
			body:      `{"phone":"(201) 555-0150","last_name":"Kowalski","alias":"alice","role":"participant"}`,
			status:    http.StatusBadRequest,
			expected:  []string{`"alias":{"code":"validation_not_unique"`},
			wantUsers: 6,
		},
		{
			name:      "enrolled phone saves nothing",
			body:      `{"phone":"650 253 0002","last_name":"Kowalski","alias":"P150","role":"participant"}`,
			status:    http.StatusBadRequest,
			expected:  []string{`"phone":{"code":"validation_not_unique"`},
			wantUsers: 6,
		},
	}
	for _, s := range scenarios {
		(&tests.ApiScenario{
			Name:            s.name,
			Method:          http.MethodPost,
			URL:             "/api/collections/enrolments/records",
			Body:            strings.NewReader(s.body),
			Headers:         study.StaffHeader(),
			ExpectedStatus:  s.status,
			ExpectedContent: s.expected,
			TestAppFactory:  hearthtest.NewApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if count, _ := app.CountRecords("users"); count != s.wantUsers {
					t.Errorf("users count: got %d, want %d", count, s.wantUsers)
				}
				enrolments, _ := app.CountRecords("enrolments")
				if want := s.wantUsers - 6; enrolments != want {
					t.Errorf("enrolments count: got %d, want %d", enrolments, want)
				}
				if s.status != http.StatusOK {
					return
				}
				user, err := app.FindFirstRecordByData("users", "phone", "+12015550150")
				if err != nil {
					t.Fatalf("enrolled user not found: %v", err)
				}
				if user.GetString("alias") != "P150" || user.GetString("last_name") != "Kowalski" || user.GetString("role") != "participant" {
					t.Errorf("enrolled user fields: got %v", user.FieldsData())
				}
			},
		}).Test(t)
	}
}

func TestEnrolmentCannotBeEdited(t *testing.T) {
	study := hearthtest.Fixture(t)
	(&tests.ApiScenario{
		Name:            "update rejected",
		Method:          http.MethodPatch,
		URL:             "/api/collections/enrolments/records/enrolment000001",
		Body:            strings.NewReader(`{"alias":"P151"}`),
		Headers:         study.StaffHeader(),
		ExpectedStatus:  http.StatusBadRequest,
		ExpectedContent: []string{`"validation_enrolment_final"`},
		TestAppFactory:  hearthtest.NewApp,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			collection, err := app.FindCollectionByNameOrId("enrolments")
			if err != nil {
				t.Fatal(err)
			}
			enrolment := core.NewRecord(collection)
			enrolment.Id = "enrolment000001"
			enrolment.Load(map[string]any{"phone": "2015550151", "last_name": "Nowak", "alias": "P151x", "role": "participant"})
			if err := app.Save(enrolment); err != nil {
				t.Fatal(err)
			}
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if _, err := app.FindFirstRecordByData("users", "alias", "P151"); err == nil {
				t.Error("the rejected update changed the users record")
			}
		},
	}).Test(t)
}

func TestEnrolmentsStaffOnly(t *testing.T) {
	study := hearthtest.Fixture(t)
	for _, caller := range []struct {
		name    string
		headers map[string]string
	}{{"guest", nil}, {"participant", study.Alice.Header()}, {"therapist", study.Therapist.Header()}} {
		(&tests.ApiScenario{
			Name:            "list as " + caller.name,
			Method:          http.MethodGet,
			URL:             "/api/collections/enrolments/records",
			Headers:         caller.headers,
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{"Only superusers can perform this action."},
			TestAppFactory:  hearthtest.NewApp,
		}).Test(t)
		(&tests.ApiScenario{
			Name:            "create as " + caller.name,
			Method:          http.MethodPost,
			URL:             "/api/collections/enrolments/records",
			Body:            strings.NewReader(`{"phone":"2015550160","last_name":"X","alias":"P160","role":"therapist"}`),
			Headers:         caller.headers,
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{"Only superusers can perform this action."},
			TestAppFactory:  hearthtest.NewApp,
		}).Test(t)
	}
}
