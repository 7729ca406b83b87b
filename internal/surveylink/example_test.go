package surveylink_test

import (
	"fmt"

	"github.com/hearth-research/hearth/internal/surveylink"
)

func ExampleFill() {
	template := "https://redcap.example.org/surveys/?s=K3Y&record={external_id}&session={session}"
	fmt.Println(surveylink.Validate(template))
	fmt.Println(surveylink.Fill(template, surveylink.Values{
		surveylink.ExternalID: "site 2/0042",
		surveylink.Session:    "k2f8v0c1rj3xq6w",
	}))
	// Output:
	// <nil>
	// https://redcap.example.org/surveys/?s=K3Y&record=site+2%2F0042&session=k2f8v0c1rj3xq6w
}
