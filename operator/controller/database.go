package controller

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/postgres"
	"pilar.id/pilar/operator/resources"
)

// defaultConnectionLimit is the CRD's default, for Regions made without it.
const defaultConnectionLimit = 20

// databaseNames are the names a Region claims on a server.
type databaseNames struct {
	// Server is the name of the admin Secret, which stands for the server.
	Server   string
	Database string
	Role     string
}

// identifier is what the CRD accepts as a database or role name; a default
// derived from the Region's name must fit it too.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// namesOf returns the names a Region asks for: spec.database.name, else
// pilar_<name with - as _>; spec.database.role, else the database name.
func namesOf(region *v1alpha1.Region, defaultServer string) (databaseNames, error) {
	n := databaseNames{
		Server:   region.Spec.Database.Server.SecretName,
		Database: region.Spec.Database.Name,
		Role:     region.Spec.Database.Role,
	}
	if n.Server == "" {
		n.Server = defaultServer
	}
	if n.Database == "" {
		n.Database = "pilar_" + strings.ReplaceAll(region.Name, "-", "_")
		if !identifier.MatchString(n.Database) {
			return n, fmt.Errorf("the region's name gives the database name %q, which is not a valid name "+
				"(at most 63 characters of a-z, 0-9 and _): set spec.database.name", n.Database)
		}
	}
	if n.Role == "" {
		n.Role = n.Database
	}
	return n, nil
}

// provisionedNames are the names a Region holds: those in its status once it
// has provisioned them, else those it asks for.
func provisionedNames(region *v1alpha1.Region, defaultServer string) (databaseNames, error) {
	n, err := namesOf(region, defaultServer)
	if region.Status.Database != "" {
		n.Database, err = region.Status.Database, nil
	}
	if region.Status.Role != "" {
		n.Role = region.Status.Role
	}
	return n, err
}

// claimant returns the Region that has a better claim than region to its
// database or role on the same server, or nil. A Region holding the names
// (they are in its status) beats one that only asks for them; between
// equals the older wins, then the first by name. The answer is the same
// whichever of the two asks, so exactly one of them goes ahead. When several
// Regions beat region, the one named is the strongest: the holder, if any.
func claimant(region *v1alpha1.Region, want databaseNames, all []v1alpha1.Region, defaultServer string) (*v1alpha1.Region, string) {
	type claim struct {
		r     *v1alpha1.Region
		holds bool
	}
	// beats reports whether a has the better claim.
	beats := func(a, b claim) bool {
		switch {
		case a.holds != b.holds:
			return a.holds
		case !a.r.CreationTimestamp.Equal(&b.r.CreationTimestamp):
			return a.r.CreationTimestamp.Before(&b.r.CreationTimestamp)
		}
		return a.r.Name < b.r.Name
	}
	mine := claim{region, region.Status.Database == want.Database || region.Status.Role == want.Role}
	var best *claim
	var what string
	for i := range all {
		other := &all[i]
		if other.Name == region.Name {
			continue
		}
		theirs, err := provisionedNames(other, defaultServer)
		if err != nil || theirs.Server != want.Server {
			continue
		}
		var clash string
		switch {
		case theirs.Database == want.Database:
			clash = "database " + want.Database
		case theirs.Role == want.Role:
			clash = "role " + want.Role
		default:
			continue
		}
		c := claim{other, other.Status.Database == theirs.Database && other.Status.Database != "" ||
			other.Status.Role == theirs.Role && other.Status.Role != ""}
		if beats(c, mine) && (best == nil || beats(c, *best)) {
			best, what = &c, clash
		}
	}
	if best == nil {
		return nil, ""
	}
	return best.r, what
}

// reconcileDatabase makes sure the region's role and database exist as its
// spec says, and that its credentials Secret holds a password that logs in.
// It refuses, changing nothing, when another Region claims the names, when
// the names exist on the server without the region's marker, or when a
// Secret of the same name is not the region's.
func (r *RegionReconciler) reconcileDatabase(ctx context.Context, rc *reconciliation) {
	const cond = v1alpha1.ConditionDatabaseReady
	region := rc.region
	names, err := namesOf(region, r.DefaultServerSecret)
	if err != nil {
		rc.set(cond, false, ReasonInvalidName, "%v", err)
		return
	}
	if region.Status.Database != "" && region.Status.Database != names.Database ||
		region.Status.Role != "" && region.Status.Role != names.Role {
		rc.set(cond, false, ReasonDatabaseRenamed, "the region holds database %q and role %q; the spec now asks for %q and %q, "+
			"which would leave the first behind: put the names back", region.Status.Database, region.Status.Role, names.Database, names.Role)
		return
	}
	var all v1alpha1.RegionList
	if err := r.Client.List(ctx, &all, client.UnsafeDisableDeepCopy); err != nil {
		rc.fail(cond, ReasonProvisioningFailed, fmt.Errorf("unable to list Regions: %w", err))
		return
	}
	if other, what := claimant(region, names, all.Items, r.DefaultServerSecret); other != nil {
		rc.refuse(cond, ReasonDatabaseClaimed, "%s on server %q is claimed by Region %q; nothing was changed", what, names.Server, other.Name)
		return
	}

	admin, err := r.admin(ctx, names.Server)
	if err != nil {
		rc.fail(cond, ReasonServerUnavailable, err)
		return
	}
	secret, err := r.credentialsSecret(ctx, region)
	if err != nil {
		rc.fail(cond, ReasonProvisioningFailed, err)
		return
	}
	if secret != nil && !metav1.IsControlledBy(secret, region) {
		rc.refuse(cond, ReasonSecretNotControlled, "Secret %s/%s exists and is not controlled by this Region (left by a retained "+
			"Region of the same name?); it is never overwritten: delete it to let the operator make new credentials",
			r.Namespace, secret.Name)
		return
	}
	// A Secret that is missing (deleted, or never made) means a new
	// password, which the role is then given.
	password, reset := "", true
	if secret != nil && len(secret.Data[resources.KeyPassword]) > 0 {
		password, reset = string(secret.Data[resources.KeyPassword]), false
	} else {
		password = rand.Text()
	}

	pgCtx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	server, err := postgres.Connect(pgCtx, admin, r.SQL)
	if err != nil {
		rc.fail(cond, ReasonServerUnavailable, err)
		return
	}
	defer server.Close(context.WithoutCancel(ctx))
	limit := region.Spec.Database.ConnectionLimit
	if limit == 0 {
		limit = defaultConnectionLimit
	}
	result, err := server.Ensure(pgCtx, postgres.Spec{
		Region: region.Name, Database: names.Database, Role: names.Role,
		Password: password, ResetPassword: reset, ConnectionLimit: limit,
	})
	if errors.Is(err, postgres.ErrNotManaged) {
		rc.refuse(cond, ReasonNotManaged, "%v; nothing was changed", err)
		return
	}
	if err != nil {
		rc.fail(cond, ReasonProvisioningFailed, err)
		return
	}
	if result.Changed() {
		r.event(region, corev1.EventTypeNormal, ReasonProvisioned, "Provision", "%s", strings.Join(result.Changes, "; "))
	}
	// The Secret's password is the truth: a role whose password was changed
	// behind the operator's back (or a role restored from a backup) gets it
	// back. Only a failed login is written about.
	if !reset {
		ok, err := server.CanLogin(pgCtx, names.Role, password, names.Database)
		if err != nil {
			rc.fail(cond, ReasonProvisioningFailed, err)
			return
		}
		if !ok {
			if err := server.SetPassword(pgCtx, region.Name, names.Role, password); err != nil {
				rc.fail(cond, ReasonProvisioningFailed, err)
				return
			}
			r.event(region, corev1.EventTypeWarning, "PasswordRestored", "Provision",
				"role %s did not accept the password in its Secret; the role was given it again", names.Role)
		}
	}

	creds := resources.Credentials{
		Host: admin.Host, Port: admin.Port, SSLMode: admin.SSLMode,
		Username: names.Role, Password: password, Database: names.Database,
	}
	if err := r.applySecret(ctx, region, secret, resources.CredentialsSecret(region, r.Namespace, creds)); err != nil {
		rc.fail(cond, ReasonProvisioningFailed, err)
		return
	}
	rc.names, rc.creds = &names, &creds
	rc.status.Database, rc.status.Role = names.Database, names.Role
	rc.status.SecretName = resources.SecretName(region.Name)
}

// admin reads a server's admin credentials from its Secret, which belongs
// to whoever installed the server: it is only ever read.
func (r *RegionReconciler) admin(ctx context.Context, name string) (postgres.Admin, error) {
	var s corev1.Secret
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: name}, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return postgres.Admin{}, fmt.Errorf("the PostgreSQL admin Secret %s/%s does not exist", r.Namespace, name)
		}
		return postgres.Admin{}, fmt.Errorf("unable to read the PostgreSQL admin Secret %s/%s: %w", r.Namespace, name, err)
	}
	return adminFromSecret(&s)
}

// adminFromSecret reads the keys host, port, username, password and the
// optional sslmode (disable when absent).
func adminFromSecret(s *corev1.Secret) (postgres.Admin, error) {
	var missing []string
	get := func(key string) string {
		v := strings.TrimSpace(string(s.Data[key]))
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	a := postgres.Admin{
		Endpoint: postgres.Endpoint{Host: get("host")},
		User:     get("username"),
		Password: string(s.Data["password"]),
	}
	if a.Password == "" {
		missing = append(missing, "password")
	}
	port := get("port")
	if len(missing) > 0 {
		return a, fmt.Errorf("the PostgreSQL admin Secret %s/%s lacks %s", s.Namespace, s.Name, strings.Join(missing, ", "))
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return a, fmt.Errorf("the PostgreSQL admin Secret %s/%s: port %q is not a port number", s.Namespace, s.Name, port)
	}
	a.Port = p
	a.SSLMode = strings.TrimSpace(string(s.Data["sslmode"]))
	if a.SSLMode == "" {
		a.SSLMode = "disable"
	}
	switch a.SSLMode {
	case "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return a, fmt.Errorf("the PostgreSQL admin Secret %s/%s: sslmode %q is not a libpq sslmode", s.Namespace, s.Name, a.SSLMode)
	}
	return a, nil
}

// credentialsSecret returns the region's credentials Secret, or nil when
// there is none. The cache may not have seen a Secret made a moment ago, so
// its absence is confirmed with the API server before new credentials
// replace it.
func (r *RegionReconciler) credentialsSecret(ctx context.Context, region *v1alpha1.Region) (*corev1.Secret, error) {
	key := client.ObjectKey{Namespace: r.Namespace, Name: resources.SecretName(region.Name)}
	var s corev1.Secret
	err := r.Client.Get(ctx, key, &s)
	if apierrors.IsNotFound(err) && r.APIReader != nil {
		err = r.APIReader.Get(ctx, key, &s)
	}
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read Secret %s: %w", key, err)
	}
	return &s, nil
}

// applySecret creates the credentials Secret, or updates the one the region
// controls when its data or labels differ.
func (r *RegionReconciler) applySecret(ctx context.Context, region *v1alpha1.Region, existing, want *corev1.Secret) error {
	if existing == nil {
		if err := r.Client.Create(ctx, want); err != nil {
			return fmt.Errorf("unable to create Secret %s/%s: %w", want.Namespace, want.Name, err)
		}
		r.event(region, corev1.EventTypeNormal, "SecretCreated", "Provision", "Secret %s/%s holds the database credentials", want.Namespace, want.Name)
		return nil
	}
	if sameData(existing.Data, want.Data) && hasLabels(existing, want.Labels) {
		return nil
	}
	updated := existing.DeepCopy()
	updated.Data = want.Data
	updated.Labels = mergeLabels(updated.Labels, want.Labels)
	if err := r.Client.Update(ctx, updated); err != nil {
		return fmt.Errorf("unable to update Secret %s/%s: %w", want.Namespace, want.Name, err)
	}
	return nil
}

func sameData(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
}

func hasLabels(o client.Object, want map[string]string) bool {
	have := o.GetLabels()
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func mergeLabels(have, want map[string]string) map[string]string {
	out := maps.Clone(have)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, want)
	return out
}
