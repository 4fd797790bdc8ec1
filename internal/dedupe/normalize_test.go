package dedupe

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Phone("+49 30 1234567"), "+49301234567"},
		{Phone("030 1234567"), "+49301234567"},
		{Phone("(030) 123-4567"), "+49301234567"},
		{Phone("+1 (202) 555-0100"), "+12025550100"},
		{Phone("call me"), ""},
		{Phone(""), ""},
		{CompanyName("ACME GmbH."), "acme"},
		{CompanyName("The Acme Group, Inc"), "acme"},
		{CompanyName("Müller & Söhne KG"), "müller & söhne"},
		{Name("  Ada   Lovelace "), "ada lovelace"},
		{EmailDomain("ada@Acme.example"), "acme.example"},
		{EmailDomain("nope"), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
