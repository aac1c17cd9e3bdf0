// Package supervision is the application layer of supervision, step 6 of
// the two-pillar workflow: each step of it — an internal supervisor's
// finding recorded, answered, closed or reopened; a resident's complaint
// filed (anonymously if they wish), received, investigated, resolved or
// escalated to the ombudsman — as one function over step.Run, and the reads
// whose answers depend on who asks (findings where the asker holds
// finding:read, complaints for their filer, those handling them, and
// everyone when public).
//
// Each step takes the region, who acts and the step's input; it loads what
// it acts on in the step's transaction, asks the region's policy at the
// object's scope, keeps the object rules no transport may forget (the moves
// are made by accounts; escalated complaints are handled by ombudsman grants
// only, and the rest by other grants; a resident escalates only their own
// complaint; an anonymous complaint is made and audited as the public's),
// lets the domain (partnership) decide, stores and audits. A complaint's
// audit entries are public exactly when the complaint is, and carry neither
// its texts nor who filed it beyond the acting account's id. It returns
// domain values and partnership's errors, never a transport's.
package supervision
