package schema

// systemFields open every object: the record's identity and bookkeeping.
func systemFields() []*Field {
	return []*Field{
		{Name: "id", Label: "ID", Kind: ID, ReadOnly: true, Indexed: true},
		{Name: "created_at", Label: "Created", Kind: DateTime, ReadOnly: true, Indexed: true},
		{Name: "updated_at", Label: "Updated", Kind: DateTime, ReadOnly: true, Indexed: true},
		{Name: "owner_id", Label: "Owner", Kind: Relation, Target: "users"},
		{Name: "version", Label: "Version", Kind: Integer, ReadOnly: true},
	}
}

// LifecycleStages are the values of a contact's lifecycle_stage.
var LifecycleStages = []string{"subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "other"}

// DealStatuses are the values of a deal's status, which its stage's kind
// sets.
var DealStatuses = []string{"open", "won", "lost"}

// ActivityKinds are the kinds of an activity.
var ActivityKinds = []string{"note", "call", "meeting", "email"}

// EmailDirections and EmailStatuses are the values of an email's
// direction and status: mail sent is queued, then sent or failed (or
// bounced, when a bounce comes back); mail received is received.
var (
	EmailDirections = []string{"in", "out"}
	EmailStatuses   = []string{"queued", "sending", "sent", "failed", "bounced", "received"}
)

// Ticket values: a ticket is new until an agent takes it up, open while
// the team works on it, pending while it waits on its customer (the SLA
// clock stands), solved when answered (the customer may reopen it by
// replying) and closed for good.
var (
	TicketStatuses   = []string{"new", "open", "pending", "solved", "closed"}
	TicketPriorities = []string{"low", "normal", "high", "urgent"}
	TicketTypes      = []string{"question", "incident", "problem", "task"}
	TicketChannels   = []string{"email", "web", "portal", "api", "phone"}
	QueueAssignments = []string{"manual", "round_robin"}
	CSATRatings      = []string{"good", "bad"}
)

// Report values: the chart a saved report is drawn as, the named
// periods a report or dashboard covers, the roles it may be shared with,
// and how often it is mailed.
var (
	ReportCharts    = []string{"table", "bar", "stacked_bar", "line", "area", "pie", "donut", "funnel", "kpi"}
	ReportRanges    = []string{"today", "this_week", "last_week", "this_month", "last_month", "this_quarter", "last_quarter", "this_year", "last_year", "last_7_days", "last_30_days", "last_90_days", "last_365_days", "next_12_months"}
	ReportRoles     = []string{"admin", "manager", "sales", "support", "marketing", "readonly"}
	ReportSchedules = []string{"daily", "weekly", "monthly"}
)

// QuoteStatuses are the values of a quote's status: a draft is still
// edited; once sent, a quote changes only by a new version.
var QuoteStatuses = []string{"draft", "sent", "accepted", "declined", "expired"}

// builtins returns fresh copies of the built-in objects.
func builtins() []*Object {
	objs := []*Object{
		{
			Name: "contacts", Label: "Contacts", Singular: "contact", Table: "contacts",
			Title: []string{"first_name", "last_name"}, Subtitle: "email",
			Fields: []*Field{
				{Name: "first_name", Label: "First name", Kind: Text, Searchable: true},
				{Name: "last_name", Label: "Last name", Kind: Text, Searchable: true, Indexed: true},
				{Name: "email", Label: "Email", Kind: Email, Unique: true, Indexed: true, Searchable: true, Lower: true},
				{Name: "phone", Label: "Phone", Kind: Phone, Searchable: true},
				{Name: "title", Label: "Job title", Kind: Text, Searchable: true},
				{Name: "company_id", Label: "Company", Kind: Relation, Target: "companies", Indexed: true, Relation: "company"},
				{Name: "lifecycle_stage", Label: "Lifecycle stage", Kind: Select, Options: LifecycleStages, Indexed: true},
				{Name: "lead_source", Label: "Lead source", Kind: Text},
				{Name: "score", Label: "Score", Kind: Integer, ReadOnly: true, Indexed: true},
				{Name: "tags", Label: "Tags", Kind: Tags},
				{Name: "address", Label: "Address", Kind: Address},
				{Name: "consent", Label: "Consent", Kind: Consent},
				{Name: "do_not_contact", Label: "Do not contact", Kind: Bool},
				{Name: "email_bounced", Label: "Email bounces", Kind: Bool},
			},
		},
		{
			Name: "companies", Label: "Companies", Singular: "company", Table: "companies",
			Title: []string{"name"}, Subtitle: "domain",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "domain", Label: "Domain", Kind: Text, Searchable: true, Indexed: true, Lower: true},
				{Name: "industry", Label: "Industry", Kind: Text},
				{Name: "employees", Label: "Employees", Kind: Integer},
				{Name: "annual_revenue", Label: "Annual revenue", Kind: Money},
				{Name: "phone", Label: "Phone", Kind: Phone, Searchable: true},
				{Name: "address", Label: "Address", Kind: Address},
				{Name: "tags", Label: "Tags", Kind: Tags},
			},
		},
		{
			Name: "activities", Label: "Activities", Singular: "activity", Table: "activities",
			Title: []string{"subject"}, Subtitle: "kind",
			Fields: []*Field{
				{Name: "kind", Label: "Kind", Kind: Select, Options: ActivityKinds, Required: true, Indexed: true},
				{Name: "subject", Label: "Subject", Kind: Text, Searchable: true},
				{Name: "body", Label: "Body", Kind: LongText, Searchable: true},
				{Name: "occurred_at", Label: "When", Kind: DateTime, Indexed: true, DefaultNow: true},
				{Name: "related", Label: "Related to", Kind: Refs},
			},
		},
		{
			Name: "pipelines", Label: "Pipelines", Singular: "pipeline", Table: "pipelines",
			Title: []string{"name"},
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "stages", Label: "Stages", Kind: Stages, Required: true},
			},
		},
		{
			Name: "deals", Label: "Deals", Singular: "deal", Table: "deals",
			Title: []string{"name"}, Subtitle: "amount",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "amount", Label: "Amount", Kind: Money},
				{Name: "currency", Label: "Currency", Kind: Text},
				{Name: "pipeline_id", Label: "Pipeline", Kind: Relation, Target: "pipelines", Indexed: true, Relation: "pipeline"},
				{Name: "stage_id", Label: "Stage", Kind: Text, Indexed: true},
				{Name: "status", Label: "Status", Kind: Select, Options: DealStatuses, ReadOnly: true, Indexed: true},
				{Name: "close_date", Label: "Close date", Kind: Date, Indexed: true},
				{Name: "company_id", Label: "Company", Kind: Relation, Target: "companies", Indexed: true, Relation: "company"},
				{Name: "contact_ids", Label: "Contacts", Kind: Relations, Target: "contacts"},
				{Name: "lost_reason", Label: "Lost reason", Kind: Text, Searchable: true},
				{Name: "stage_entered_at", Label: "In stage since", Kind: DateTime, ReadOnly: true},
				{Name: "weighted_amount", Label: "Weighted amount", Kind: Money, ReadOnly: true},
				{Name: "lead_source", Label: "Lead source", Kind: Text},
			},
		},
		{
			Name: "products", Label: "Products", Singular: "product", Table: "products",
			Title: []string{"name"}, Subtitle: "sku",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "sku", Label: "SKU", Kind: Text, Unique: true, Indexed: true, Searchable: true},
				{Name: "description", Label: "Description", Kind: LongText, Searchable: true},
				{Name: "prices", Label: "Prices", Kind: Prices},
				{Name: "tax_percent", Label: "Tax %", Kind: Number},
				{Name: "active", Label: "Active", Kind: Bool, Indexed: true},
			},
		},
		{
			Name: "quotes", Label: "Quotes", Singular: "quote", Table: "quotes",
			Title: []string{"number", "name"}, Subtitle: "total",
			Fields: []*Field{
				{Name: "number", Label: "Number", Kind: Text, ReadOnly: true, Indexed: true, Searchable: true},
				{Name: "revision", Label: "Version", Kind: Integer, ReadOnly: true},
				{Name: "name", Label: "Name", Kind: Text, Searchable: true},
				{Name: "deal_id", Label: "Deal", Kind: Relation, Target: "deals", Required: true, Indexed: true, Relation: "deal"},
				{Name: "company_id", Label: "Company", Kind: Relation, Target: "companies", Indexed: true, Relation: "company"},
				{Name: "contact_id", Label: "Contact", Kind: Relation, Target: "contacts", Indexed: true, Relation: "contact"},
				{Name: "currency", Label: "Currency", Kind: Text},
				{Name: "status", Label: "Status", Kind: Select, Options: QuoteStatuses, Indexed: true},
				{Name: "valid_until", Label: "Valid until", Kind: Date, Indexed: true},
				{Name: "terms", Label: "Terms", Kind: LongText},
				{Name: "line_items", Label: "Line items", Kind: LineItems},
				{Name: "subtotal", Label: "Subtotal", Kind: Money, ReadOnly: true},
				{Name: "discount_total", Label: "Discount", Kind: Money, ReadOnly: true},
				{Name: "tax_total", Label: "Tax", Kind: Money, ReadOnly: true},
				{Name: "total", Label: "Total", Kind: Money, ReadOnly: true},
				{Name: "sent_at", Label: "Sent", Kind: DateTime, ReadOnly: true},
				{Name: "previous_id", Label: "Previous version", Kind: Relation, Target: "quotes", ReadOnly: true},
			},
		},
		{
			Name: "tasks", Label: "Tasks", Singular: "task", Table: "tasks",
			Title: []string{"title"}, Subtitle: "due_at",
			Fields: []*Field{
				{Name: "title", Label: "Title", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "description", Label: "Description", Kind: LongText, Searchable: true},
				{Name: "due_at", Label: "Due", Kind: DateTime, Indexed: true},
				{Name: "remind_at", Label: "Remind at", Kind: DateTime},
				{Name: "done", Label: "Done", Kind: Bool, Indexed: true},
				{Name: "completed_at", Label: "Completed", Kind: DateTime, ReadOnly: true},
				{Name: "assignee_id", Label: "Assignee", Kind: Relation, Target: "users", Indexed: true},
				{Name: "related", Label: "Related to", Kind: Ref},
			},
		},
		{
			Name: "tickets", Label: "Tickets", Singular: "ticket", Table: "tickets",
			Title: []string{"subject"}, Subtitle: "status",
			Fields: []*Field{
				{Name: "number", Label: "Number", Kind: Integer, ReadOnly: true, Indexed: true},
				{Name: "subject", Label: "Subject", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "status", Label: "Status", Kind: Select, Options: TicketStatuses, Indexed: true},
				{Name: "priority", Label: "Priority", Kind: Select, Options: TicketPriorities, Indexed: true},
				{Name: "type", Label: "Type", Kind: Select, Options: TicketTypes},
				{Name: "queue", Label: "Queue", Kind: Text, Indexed: true},
				{Name: "contact_id", Label: "Requester", Kind: Relation, Target: "contacts", Indexed: true, Relation: "contact"},
				{Name: "company_id", Label: "Company", Kind: Relation, Target: "companies", Indexed: true, Relation: "company"},
				{Name: "assignee_id", Label: "Assignee", Kind: Relation, Target: "users", Indexed: true},
				{Name: "channel", Label: "Channel", Kind: Select, Options: TicketChannels},
				{Name: "tags", Label: "Tags", Kind: Tags},
				{Name: "sla_policy_id", Label: "SLA policy", Kind: Text},
				{Name: "first_response_due_at", Label: "First response due", Kind: DateTime, ReadOnly: true, Indexed: true},
				{Name: "resolution_due_at", Label: "Resolution due", Kind: DateTime, ReadOnly: true, Indexed: true},
				{Name: "first_responded_at", Label: "First response", Kind: DateTime, ReadOnly: true},
				{Name: "solved_at", Label: "Solved", Kind: DateTime, ReadOnly: true},
				{Name: "csat_rating", Label: "Satisfaction", Kind: Select, Options: CSATRatings, ReadOnly: true, Indexed: true},
				{Name: "csat_comment", Label: "Satisfaction comment", Kind: LongText, ReadOnly: true},
				{Name: "csat_at", Label: "Rated", Kind: DateTime, ReadOnly: true},
				{Name: "sla_breached", Label: "SLA missed", Kind: Bool, ReadOnly: true},
			},
		},
		{
			Name: "queues", Label: "Queues", Singular: "queue", Table: "queues",
			Title: []string{"name"}, Subtitle: "assignment",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "members", Label: "Members", Kind: Relations, Target: "users"},
				{Name: "assignment", Label: "Assignment", Kind: Select, Options: QueueAssignments},
				{Name: "mailbox", Label: "Mailbox", Kind: Email, Lower: true, Unique: true},
			},
		},
		{
			Name: "sla_policies", Label: "SLA policies", Singular: "SLA policy", Table: "sla_policies",
			Title: []string{"name"}, Subtitle: "condition",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "condition", Label: "Applies to tickets where", Kind: Text},
				{Name: "rank", Label: "Rank", Kind: Integer, Indexed: true},
				{Name: "first_response_minutes", Label: "First response within (working minutes)", Kind: Integer},
				{Name: "resolution_minutes", Label: "Resolution within (working minutes)", Kind: Integer},
				{Name: "warn_minutes", Label: "Warn this many minutes before", Kind: Integer},
				{Name: "time_zone", Label: "Time zone", Kind: Text},
				{Name: "hours", Label: "Working hours", Kind: Text},
				{Name: "holidays", Label: "Holidays", Kind: Tags},
				{Name: "active", Label: "Active", Kind: Bool},
			},
		},
		{
			Name: "templates", Label: "Templates", Singular: "template", Table: "templates",
			Title: []string{"name"}, Subtitle: "subject",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Searchable: true, Indexed: true},
				{Name: "language", Label: "Language", Kind: Text, Indexed: true},
				{Name: "subject", Label: "Subject", Kind: Text, Required: true, Searchable: true},
				{Name: "body_html", Label: "Message", Kind: LongText, Required: true, Searchable: true},
			},
		},
		{
			Name: "emails", Label: "Emails", Singular: "email", Table: "emails",
			Title: []string{"subject"}, Subtitle: "from",
			Fields: []*Field{
				{Name: "direction", Label: "Direction", Kind: Select, Options: EmailDirections, Indexed: true},
				{Name: "status", Label: "Status", Kind: Select, Options: EmailStatuses, Indexed: true},
				{Name: "from", Label: "From", Kind: Text, Searchable: true, Indexed: true},
				{Name: "to", Label: "To", Kind: Tags, Searchable: true},
				{Name: "cc", Label: "Cc", Kind: Tags},
				{Name: "subject", Label: "Subject", Kind: Text, Searchable: true, Indexed: true},
				{Name: "body_html", Label: "Message", Kind: LongText},
				{Name: "body_text", Label: "Text", Kind: LongText, Searchable: true},
				{Name: "related", Label: "Related to", Kind: Refs},
				{Name: "in_reply_to", Label: "In reply to", Kind: Relation, Target: "emails"},
				{Name: "template_id", Label: "Template", Kind: Relation, Target: "templates"},
				{Name: "marketing", Label: "Marketing", Kind: Bool},
				{Name: "message_id", Label: "Message-ID", Kind: Text, Indexed: true},
				{Name: "reference_ids", Label: "References", Kind: Tags},
				{Name: "error", Label: "Error", Kind: Text},
				{Name: "sent_at", Label: "Sent", Kind: DateTime, Indexed: true},
				{Name: "account_id", Label: "Mail account", Kind: Text, Indexed: true},
				{Name: "private", Label: "Private", Kind: Bool},
			},
		},
		{
			Name: "reports", Label: "Reports", Singular: "report", Table: "reports",
			Title: []string{"name"}, Subtitle: "object",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Indexed: true},
				{Name: "description", Label: "Description", Kind: LongText},
				{Name: "object", Label: "Object", Kind: Text, Required: true},
				{Name: "filter", Label: "Filter", Kind: Text},
				{Name: "group_by", Label: "Group by", Kind: Tags},
				{Name: "measures", Label: "Measures", Kind: Tags},
				{Name: "order_by", Label: "Sort by", Kind: Text},
				{Name: "row_limit", Label: "Limit", Kind: Integer},
				{Name: "period_field", Label: "Period of", Kind: Text},
				{Name: "period_range", Label: "Period", Kind: Select, Options: ReportRanges},
				{Name: "compare", Label: "Compare with the period before", Kind: Bool},
				{Name: "chart", Label: "Chart", Kind: Select, Options: ReportCharts},
				{Name: "share_roles", Label: "Shared with roles", Kind: MultiSelect, Options: ReportRoles},
				{Name: "share_user_ids", Label: "Shared with", Kind: Relations, Target: "users"},
				{Name: "schedule", Label: "Email", Kind: Select, Options: ReportSchedules},
				{Name: "email_to", Label: "Email to", Kind: Tags},
				{Name: "last_sent_at", Label: "Last emailed", Kind: DateTime, ReadOnly: true},
			},
		},
		{
			Name: "dashboards", Label: "Dashboards", Singular: "dashboard", Table: "dashboards",
			Title: []string{"name"}, Subtitle: "description",
			Fields: []*Field{
				{Name: "name", Label: "Name", Kind: Text, Required: true, Indexed: true},
				{Name: "description", Label: "Description", Kind: LongText},
				{Name: "key", Label: "Address", Kind: Text, Unique: true, Indexed: true, Lower: true},
				{Name: "report_ids", Label: "Reports", Kind: Relations, Target: "reports"},
				{Name: "period_range", Label: "Period", Kind: Select, Options: ReportRanges},
				{Name: "share_roles", Label: "Shared with roles", Kind: MultiSelect, Options: ReportRoles},
				{Name: "share_user_ids", Label: "Shared with", Kind: Relations, Target: "users"},
				{Name: "schedule", Label: "Email", Kind: Select, Options: ReportSchedules},
				{Name: "email_to", Label: "Email to", Kind: Tags},
				{Name: "last_sent_at", Label: "Last emailed", Kind: DateTime, ReadOnly: true},
			},
		},
		{
			Name: "webhooks", Label: "Webhooks", Singular: "webhook", Table: "webhooks",
			Title: []string{"url"}, Subtitle: "url",
			Fields: []*Field{
				{Name: "url", Label: "URL", Kind: URL, Required: true, Searchable: true},
				{Name: "events", Label: "Events", Kind: Tags, Required: true},
				{Name: "secret", Label: "Signing secret", Kind: Text},
				{Name: "active", Label: "Active", Kind: Bool},
			},
		},
	}
	for _, o := range objs {
		o.Fields = append(systemFields(), o.Fields...)
		for i, f := range o.Fields {
			f.Position = i
		}
		o.index()
	}
	return objs
}

// Builtin reports whether name is a built-in object.
func Builtin(name string) bool {
	for _, o := range builtins() {
		if o.Name == name {
			return true
		}
	}
	return false
}

// Default is a schema of the built-in objects alone, for tools and tests
// that have no workspace.
func Default() *Schema {
	s := &Schema{objects: map[string]*Object{}}
	for _, o := range builtins() {
		s.objects[o.Name] = o
	}
	return s
}

// Builtins returns fresh copies of the built-in objects, for those that
// describe them (the interface's catalogue of labels).
func Builtins() []*Object { return builtins() }
