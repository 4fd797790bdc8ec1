// Package access is the permission model: who may read, create, change and
// administer what. The record engine and every domain service call it, so
// the rules hold whatever the transport.
package access

import (
	"slices"

	"github.com/rapport-crm/rapport/internal/fault"
)

// Role is a user's role in a workspace.
type Role string

// The roles.
const (
	Admin     Role = "admin"
	Manager   Role = "manager"
	Sales     Role = "sales"
	Support   Role = "support"
	Marketing Role = "marketing"
	ReadOnly  Role = "readonly"
)

// Roles lists every role.
var Roles = []Role{Admin, Manager, Sales, Support, Marketing, ReadOnly}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return slices.Contains(Roles, Role(r)) }

// Principal is who is acting: a signed-in user or the user behind an API key.
type Principal struct {
	WorkspaceID string
	UserID      string
	Role        Role
}

// System is the principal of Rapport's own work (jobs, migrations, demo).
func System(ws string) Principal { return Principal{WorkspaceID: ws, Role: Admin} }

// adminObjects may be changed only by admins.
var adminObjects = []string{"webhooks"}

// managerObjects are settings of the sales process (pipelines, the product
// catalogue) that every role reads and only admins and managers change.
var managerObjects = []string{"pipelines", "products", "sla_policies", "queues"}

// CanRead reports whether p may see records of object. Every role reads every
// record object; only admins read admin objects such as webhooks.
func CanRead(p Principal, object string) error {
	if slices.Contains(adminObjects, object) && p.Role != Admin {
		return fault.Forbidden("only admins may see %s", object)
	}
	return nil
}

// CanCreate reports whether p may create records of object.
func CanCreate(p Principal, object string) error {
	if err := CanRead(p, object); err != nil {
		return err
	}
	if p.Role == ReadOnly {
		return fault.Forbidden("the readonly role cannot create %s", object)
	}
	if slices.Contains(managerObjects, object) && p.Role != Admin && p.Role != Manager {
		return fault.Forbidden("only admins and managers may change %s", object)
	}
	return nil
}

// CanWrite reports whether p may change or trash a record of object owned by
// ownerID. Sales, support and marketing change only what they own (marketing
// also every contact, support every ticket); managers and admins change
// everything.
func CanWrite(p Principal, object, ownerID string) error {
	if err := CanCreate(p, object); err != nil {
		return err
	}
	switch p.Role {
	case Admin, Manager:
		return nil
	case Marketing:
		if object == "contacts" {
			return nil
		}
	case Support:
		if object == "tickets" { // a helpdesk works its queues together
			return nil
		}
	}
	if ownerID != "" && ownerID == p.UserID {
		return nil
	}
	return fault.Forbidden("a %s may change only records they own", p.Role)
}

// CanAssign reports whether p may set a record's owner to someone else.
func CanAssign(p Principal, newOwner string) error {
	if newOwner == "" || newOwner == p.UserID || p.Role == Admin || p.Role == Manager {
		return nil
	}
	return fault.Forbidden("a %s may not assign records to another user", p.Role)
}

// CanAdminister reports whether p may change the workspace: schema, users,
// API keys of others, webhooks.
func CanAdminister(p Principal) error {
	if p.Role != Admin {
		return fault.Forbidden("only admins may change workspace settings")
	}
	return nil
}

// CanErase reports whether p may erase a person's data or hand it out to
// them (data subject requests): admins and managers.
func CanErase(p Principal) error {
	if p.Role != Admin && p.Role != Manager {
		return fault.Forbidden("only admins and managers handle data subject requests")
	}
	return nil
}
