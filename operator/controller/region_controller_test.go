package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/internal/testpg"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/postgres"
	"pilar.id/pilar/operator/resources"
	"pilar.id/pilar/policies"
)

// withProcurement adds the one regulation Kota Bandung's manifest lacks, so
// that every prerequisite of both models is met.
func withProcurement(r *v1alpha1.Region) {
	r.Spec.LegalBasis = append(r.Spec.LegalBasis, v1alpha1.Regulation{
		Kind: "Perwal", Number: "12", Year: 2016, Title: "Pengadaan barang dan jasa",
		Covers: []v1alpha1.Prerequisite{v1alpha1.PrereqProcurement},
	})
}

func dbName(r *v1alpha1.Region) string { return "pilar_" + strings.ReplaceAll(r.Name, "-", "_") }

func TestCreateBecomesReady(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, got := e.ready(e.region("bandung", "bdg", withProcurement))

	for _, typ := range conditionTypes {
		if c := condition(got, typ); c.Status != metav1.ConditionTrue {
			t.Errorf("%s is %s (%s: %s)", typ, c.Status, c.Reason, c.Message)
		}
	}
	set, err := policies.Render(r.Spec.Policy.Overrides)
	if err != nil {
		t.Fatal(err)
	}
	db := dbName(r)
	st := got.Status
	want := v1alpha1.RegionStatus{
		ObservedGeneration: got.Generation, Database: db, Role: db,
		SecretName: "pilar-region-" + r.Name, PolicyConfigMap: "pilar-policy-" + r.Name,
		SchemaVersion: store.SchemaVersion(), PolicyHash: set.Hash,
	}
	st.Conditions = nil
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Errorf("status\n%+v\nwant\n%+v", st, want)
	}
	if !controllerutil.ContainsFinalizer(got, Finalizer) {
		t.Errorf("finalizers %v, want %s", got.Finalizers, Finalizer)
	}

	// PostgreSQL: the database exists, its role owns it, PUBLIC may not connect.
	if !pg.HasDatabase(t, db) {
		t.Fatalf("database %s does not exist", db)
	}
	if owner := testpg.Query[string](t, pg, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", db); owner != db {
		t.Errorf("owner %s, want %s", owner, db)
	}
	if testpg.Query[bool](t, pg, "SELECT has_database_privilege('public', $1, 'CONNECT')", db) {
		t.Error("PUBLIC may connect to the region's database")
	}
	if limit := testpg.Query[int32](t, pg, "SELECT rolconnlimit FROM pg_roles WHERE rolname = $1", db); limit != 20 {
		t.Errorf("connection limit %d, want the default 20", limit)
	}

	// The Secret: every key, and they log in.
	s := e.mustSecret(r.Name)
	for _, k := range []string{"username", "password", "database", "host", "port", "uri"} {
		if len(s.Data[k]) == 0 {
			t.Errorf("Secret key %s is empty", k)
		}
	}
	if err := login(string(s.Data["uri"])); err != nil {
		t.Errorf("the Secret's uri does not log in: %v", err)
	}
	byKeys := fmt.Sprintf("postgres://%s:%s@%s:%s/%s?sslmode=disable",
		s.Data["username"], s.Data["password"], s.Data["host"], s.Data["port"], s.Data["database"])
	if err := login(byKeys); err != nil {
		t.Errorf("the Secret's separate keys do not log in: %v", err)
	}
	if !isOwnedBy(s, got) || s.Labels[resources.LabelRegion] != r.Name {
		t.Errorf("Secret owners %v labels %v", s.OwnerReferences, s.Labels)
	}

	// The ConfigMap holds what Render renders.
	cm := e.configMap(r.Name)
	if cm.Data["policy.csv"] != set.Text() {
		t.Error("policy.csv differs from policies.Render's text")
	}
	if cm.Annotations["pilar.id/policy-hash"] != set.Hash {
		t.Errorf("policy hash annotation %q, want %q", cm.Annotations["pilar.id/policy-hash"], set.Hash)
	}
	if !isOwnedBy(cm, got) || cm.Labels[resources.LabelRegion] != r.Name {
		t.Errorf("ConfigMap owners %v labels %v", cm.OwnerReferences, cm.Labels)
	}
	// Nothing dedicated for a Shared region.
	var dep appsv1.Deployment
	if err := k8s.Get(context.Background(), e.key(resources.DedicatedName(r.Name)), &dep); !apierrors.IsNotFound(err) {
		t.Errorf("a Shared region has a Deployment: %v", err)
	}
	if w := e.events.Warnings(r.Name); len(w) > 0 {
		t.Errorf("warnings on the way to Ready: %v", w)
	}
}

// After Ready, reconciling again (directly, and through a watched change
// that does not touch the spec) writes nothing anywhere.
func TestSecondReconcileWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, before := e.ready(e.region("sumedang", "sum"))
	e.quiet()
	e.writes.Reset()
	events, sqlWrites, sqlReads := e.events.Count(), e.sql.Writes(), e.sql.Reads()

	res, err := e.r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKey{Name: r.Name}})
	if err != nil || res.RequeueAfter != 0 {
		t.Fatalf("Reconcile: %v, %+v", err, res)
	}
	// An annotation wakes the manager's own reconcile up.
	n := e.reconciles.Load()
	e.update(r.Name, func(r *v1alpha1.Region) { r.Annotations = map[string]string{"poke": "1"} })
	e.eventually("a reconcile after the annotation", func() (bool, string) { return e.reconciles.Load() > n, "" })
	e.quiet()

	if n, log := e.writes.Writes(); n != 0 {
		t.Errorf("%d writes to the Kubernetes API: %v", n, log)
	}
	if n := e.events.Count() - events; n != 0 {
		t.Errorf("%d events recorded", n)
	}
	if n := e.sql.Writes() - sqlWrites; n != 0 {
		t.Errorf("%d writing SQL statements", n)
	}
	if e.sql.Reads() == sqlReads {
		t.Error("no SQL read either: did the reconcile run at all?")
	}
	after := e.get(r.Name)
	if after.Status.Conditions[0].LastTransitionTime != before.Status.Conditions[0].LastTransitionTime {
		t.Error("lastTransitionTime moved")
	}
}

func TestSpecChangeUpdatesThePolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, first := e.ready(e.region("bandung", "bdg"))

	overrides := r.Spec.Policy.Overrides + "deny resident complaint:read\n"
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Policy.Overrides = overrides })
	set, err := policies.Render(overrides)
	if err != nil {
		t.Fatal(err)
	}
	got := e.waitReady(r.Name)
	if got.Status.PolicyHash != set.Hash || got.Status.PolicyHash == first.Status.PolicyHash {
		t.Errorf("policy hash %s, want the new %s (was %s)", got.Status.PolicyHash, set.Hash, first.Status.PolicyHash)
	}
	cm := e.configMap(r.Name)
	if cm.Data["policy.csv"] != set.Text() || cm.Annotations["pilar.id/policy-hash"] != set.Hash {
		t.Error("the ConfigMap does not hold the new set")
	}
	if got.Status.ObservedGeneration != got.Generation || got.Generation == first.Generation {
		t.Errorf("observedGeneration %d, generation %d (was %d)", got.Status.ObservedGeneration, got.Generation, first.Generation)
	}
}

func TestOverrideBeyondTheGuardrailsIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, ready := e.ready(e.region("bandung", "bdg"))
	cmBefore := e.configMap(r.Name)

	bad := "# line 1 is a comment\nallow resident musrenbang:decide\n"
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Policy.Overrides = bad })
	got := e.waitCondition(r.Name, v1alpha1.ConditionPolicyReady, metav1.ConditionFalse)
	c := condition(got, v1alpha1.ConditionPolicyReady)
	if c.Reason != ReasonOverrideRefused || !strings.Contains(c.Message, `line 2 "allow resident musrenbang:decide"`) {
		t.Errorf("PolicyReady: %s: %s; want the offending line named", c.Reason, c.Message)
	}
	if got.Status.PolicyHash != ready.Status.PolicyHash {
		t.Error("the status claims a new policy hash")
	}
	cm := e.configMap(r.Name)
	if cm.ResourceVersion != cmBefore.ResourceVersion || cm.Data["policy.csv"] != cmBefore.Data["policy.csv"] {
		t.Error("the ConfigMap changed")
	}
	if c := condition(got, v1alpha1.ConditionReady); c.Status != metav1.ConditionFalse {
		t.Errorf("Ready is %s with a refused policy", c.Status)
	}
	e.eventually("a warning event", func() (bool, string) {
		w := e.events.Warnings(r.Name)
		return slices.ContainsFunc(w, func(s string) bool { return strings.HasPrefix(s, ReasonOverrideRefused) }), fmt.Sprint(w)
	})
}

// Missing regulations are reported, and the region is served anyway.
func TestMissingRegulationsAreReportedWithoutBlocking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, got := e.ready(e.region("bandung", "bdg", func(r *v1alpha1.Region) {
		// Drop the CSR forum's two regulations; Bandung's manifest has no
		// procurement regulation to begin with.
		r.Spec.LegalBasis = slices.DeleteFunc(r.Spec.LegalBasis, func(g v1alpha1.Regulation) bool {
			return slices.Contains(g.Covers, v1alpha1.PrereqCSRForum)
		})
	}))
	c := condition(got, v1alpha1.ConditionPrerequisitesMet)
	if c.Status != metav1.ConditionFalse || c.Reason != ReasonMissingRegulations ||
		!strings.Contains(c.Message, "TwoPillar: procurement; FourPillar: csr-forum") {
		t.Errorf("PrerequisitesMet %s (%s: %s)", c.Status, c.Reason, c.Message)
	}
}

func TestDuplicateDatabaseClaimIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first, _ := e.ready(e.region("sumedang", "first"))
	secretBefore := e.mustSecret(first.Name)
	oid := testpg.Query[uint32](t, pg, "SELECT oid FROM pg_database WHERE datname = $1", dbName(first))

	tests := []struct {
		name   string
		mutate func(*v1alpha1.Region)
		reason string
		names  string
	}{
		{"the same database", func(r *v1alpha1.Region) { r.Spec.Database.Name = dbName(first) }, ReasonDatabaseClaimed, first.Name},
		{"the same role", func(r *v1alpha1.Region) { r.Spec.Database.Role = dbName(first) }, ReasonDatabaseClaimed, first.Name},
		{"a database of another application", func(r *v1alpha1.Region) { r.Spec.Database.Name = "app_" + strings.ReplaceAll(e.id, "-", "_") }, ReasonNotManaged, "not managed"},
	}
	pg.Exec(t, "CREATE DATABASE "+pgx.Identifier{"app_" + strings.ReplaceAll(e.id, "-", "_")}.Sanitize())

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			second := e.create(e.region("sumedang", fmt.Sprintf("second%d", i), tt.mutate))
			got := e.waitCondition(second.Name, v1alpha1.ConditionDatabaseReady, metav1.ConditionFalse)
			c := condition(got, v1alpha1.ConditionDatabaseReady)
			if c.Reason != tt.reason || !strings.Contains(c.Message, tt.names) {
				t.Errorf("DatabaseReady %s: %s, want %s naming %q", c.Reason, c.Message, tt.reason, tt.names)
			}
			if condition(got, v1alpha1.ConditionReady).Status != metav1.ConditionFalse {
				t.Error("the refused region is Ready")
			}
			if _, err := e.secret(second.Name); !apierrors.IsNotFound(err) {
				t.Errorf("the refused region has a Secret: %v", err)
			}
			if got.Status.Database != "" {
				t.Errorf("the refused region holds database %q", got.Status.Database)
			}
			e.eventually("a warning event", func() (bool, string) {
				w := e.events.Warnings(second.Name)
				return slices.ContainsFunc(w, func(s string) bool { return strings.HasPrefix(s, tt.reason) }), fmt.Sprint(w)
			})
		})
	}

	// The first region is untouched: same Secret, same database, still Ready.
	e.waitReady(first.Name)
	if s := e.mustSecret(first.Name); s.ResourceVersion != secretBefore.ResourceVersion {
		t.Error("the first region's Secret changed")
	}
	if err := login(string(secretBefore.Data["uri"])); err != nil {
		t.Errorf("the first region's credentials stopped working: %v", err)
	}
	if got := testpg.Query[uint32](t, pg, "SELECT oid FROM pg_database WHERE datname = $1", dbName(first)); got != oid {
		t.Error("the first region's database was replaced")
	}
	if owner := testpg.Query[string](t, pg, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", dbName(first)); owner != dbName(first) {
		t.Errorf("the first region's database now belongs to %s", owner)
	}
}

func TestDeletedSecretIsRecovered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, _ := e.ready(e.region("sumedang", "sum"))
	old := e.mustSecret(r.Name)
	if err := k8s.Delete(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	var fresh *corev1.Secret
	e.eventually("a new Secret", func() (bool, string) {
		s, err := e.secret(r.Name)
		if err != nil {
			return false, err.Error()
		}
		fresh = s
		return s.UID != old.UID, "the old one"
	})
	if string(fresh.Data["password"]) == string(old.Data["password"]) {
		t.Fatal("the new Secret has the old password")
	}
	if err := login(string(fresh.Data["uri"])); err != nil {
		t.Errorf("the new password does not log in: %v", err)
	}
	if err := login(string(old.Data["uri"])); !postgres.IsAuthFailure(err) {
		t.Errorf("the old password: %v, want it refused", err)
	}
	e.waitReady(r.Name)
}

func TestDeleteWithRetainKeepsDatabaseRoleAndSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, ready := e.ready(e.region("sumedang", "sum"))
	db := dbName(r)
	oid := testpg.Query[uint32](t, pg, "SELECT oid FROM pg_database WHERE datname = $1", db)
	secret := e.mustSecret(r.Name)
	// A session the API server would hold: Retain ends it.
	session := testpg.Connect(t, string(secret.Data["uri"]))
	e.delete(ready)

	if !pg.HasDatabase(t, db) || !pg.HasRole(t, db) {
		t.Fatal("the database or the role is gone")
	}
	if testpg.Query[bool](t, pg, "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", db) {
		t.Error("the retained role can still log in")
	}
	if err := login(string(secret.Data["uri"])); !postgres.IsAuthFailure(err) {
		t.Errorf("logging in as the retained role: %v, want refused", err)
	}
	if err := session.Ping(context.Background()); err == nil {
		t.Error("the open session survived")
	}
	kept := e.mustSecret(r.Name)
	if len(kept.OwnerReferences) != 0 {
		t.Errorf("the retained Secret still has owners %v", kept.OwnerReferences)
	}
	if string(kept.Data["password"]) != string(secret.Data["password"]) {
		t.Error("the retained Secret lost its password")
	}

	// A Region of the same name is refused the Secret it does not control,
	// and adopts the retained database once the Secret is removed.
	e.collectGarbage(ready)
	again := e.create(e.region("sumedang", "sum"))
	c := condition(e.waitCondition(again.Name, v1alpha1.ConditionDatabaseReady, metav1.ConditionFalse), v1alpha1.ConditionDatabaseReady)
	if c.Reason != ReasonSecretNotControlled {
		t.Errorf("DatabaseReady %s: %s, want %s", c.Reason, c.Message, ReasonSecretNotControlled)
	}
	if s := e.mustSecret(r.Name); s.ResourceVersion != kept.ResourceVersion {
		t.Error("the Secret the Region does not control was changed")
	}
	if err := k8s.Delete(context.Background(), kept); err != nil {
		t.Fatal(err)
	}
	e.waitReady(again.Name)
	if got := testpg.Query[uint32](t, pg, "SELECT oid FROM pg_database WHERE datname = $1", db); got != oid {
		t.Error("the retained database was replaced instead of adopted")
	}
	if err := login(string(e.mustSecret(r.Name).Data["uri"])); err != nil {
		t.Errorf("the adopted role does not log in with its new Secret: %v", err)
	}
}

func TestDeleteWithDeleteDropsDatabaseThenRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, ready := e.ready(e.region("sumedang", "sum", func(r *v1alpha1.Region) { r.Spec.Database.ReclaimPolicy = v1alpha1.Delete }))
	db := dbName(r)
	testpg.Connect(t, string(e.mustSecret(r.Name).Data["uri"])) // a session the deletion must end
	e.delete(ready)
	if pg.HasDatabase(t, db) {
		t.Error("the database survived")
	}
	if pg.HasRole(t, db) {
		t.Error("the role survived")
	}
	// envtest has no garbage collector: the Secret is still there, and what
	// matters is that it would go with its owner.
	if s := e.mustSecret(r.Name); !isOwnedBy(s, ready) {
		t.Errorf("the Secret is not owned by the deleted Region: %v", s.OwnerReferences)
	}
	if cm := e.configMap(r.Name); !isOwnedBy(cm, ready) {
		t.Errorf("the ConfigMap is not owned by the deleted Region: %v", cm.OwnerReferences)
	}
}

// Deletion comes before any other gate: a suspended region is still released.
func TestSuspendedRegionIsLeftAloneButStillDeleted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.create(e.region("sumedang", "sum", func(r *v1alpha1.Region) {
		r.Spec.Suspend = true
		r.Spec.Database.ReclaimPolicy = v1alpha1.Delete
	}))
	e.eventually("the finalizer", func() (bool, string) {
		return controllerutil.ContainsFinalizer(e.get(r.Name), Finalizer), ""
	})
	e.quiet()
	if got := e.get(r.Name); len(got.Status.Conditions) != 0 || pg.HasDatabase(t, dbName(r)) {
		t.Fatalf("a suspended region was provisioned: %s", conditions(got))
	}
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Suspend = false })
	e.waitReady(r.Name)
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Suspend = true })
	e.delete(e.get(r.Name))
	if pg.HasDatabase(t, dbName(r)) || pg.HasRole(t, dbName(r)) {
		t.Error("the suspended region's database or role survived its deletion")
	}
}

// The operator stops half way (simulated by a client that fails at a chosen
// write, deterministic where killing a process would not be), and a new one
// finishes the job without error and without duplicates.
func TestOperatorRestartedInTheMiddleOfProvisioning(t *testing.T) {
	tests := []struct {
		name string
		// stopAt says whether the first operator stops at this write.
		stopAt func(verb string, obj client.Object) bool
	}{
		{"after the database, before the Secret", func(verb string, obj client.Object) bool {
			_, ok := obj.(*corev1.Secret)
			return verb == "create" && ok
		}},
		{"after everything, before the status", func(verb string, obj client.Object) bool {
			return verb == "status"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.stopOperator()
			r := e.create(e.region("sumedang", "sum"))

			// The first operator: the reconciler with a client that fails
			// from the chosen write on.
			direct, err := client.NewWithWatch(cluster.Config, client.Options{Scheme: scheme})
			if err != nil {
				t.Fatal(err)
			}
			stopped := false
			failing := interceptor.NewClient(direct, interceptor.Funcs{
				Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
					if stopped || tt.stopAt("create", obj) {
						stopped = true
						return errStop
					}
					return c.Create(ctx, obj, opts...)
				},
				SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
					if stopped || tt.stopAt(sub, obj) {
						stopped = true
						return errStop
					}
					return c.SubResource(sub).Update(ctx, obj, opts...)
				},
			})
			first := &RegionReconciler{Client: failing, APIReader: direct, SQL: new(postgres.Counter), Options: e.r.Options}
			if _, err := first.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKey{Name: r.Name}}); err == nil || !stopped {
				t.Fatalf("the first operator did not stop: %v", err)
			}
			if !pg.HasDatabase(t, dbName(r)) {
				t.Fatal("the first operator did not get as far as the database")
			}
			oid := testpg.Query[uint32](t, pg, "SELECT oid FROM pg_database WHERE datname = $1", dbName(r))
			if got := e.get(r.Name); got.Status.Database != "" {
				t.Fatalf("the first operator wrote a status: %+v", got.Status)
			}

			// The second operator.
			e.start()
			got := e.waitReady(r.Name)
			e.quiet()
			if n := e.errors.Load(); n != 0 {
				t.Errorf("%d reconciles failed", n)
			}
			if w := e.events.Warnings(r.Name); len(w) != 0 {
				t.Errorf("warnings: %v", w)
			}
			if got.Status.SchemaVersion != store.SchemaVersion() {
				t.Errorf("schema %q", got.Status.SchemaVersion)
			}
			if n := testpg.Query[uint32](t, pg, "SELECT oid FROM pg_database WHERE datname = $1", dbName(r)); n != oid {
				t.Error("the database was made again")
			}
			var secrets corev1.SecretList
			if err := k8s.List(context.Background(), &secrets, client.InNamespace(e.namespace), client.MatchingLabels{resources.LabelRegion: r.Name}); err != nil {
				t.Fatal(err)
			}
			if len(secrets.Items) != 1 {
				t.Fatalf("%d Secrets for the region", len(secrets.Items))
			}
			if err := login(string(secrets.Items[0].Data["uri"])); err != nil {
				t.Errorf("the Secret's credentials do not log in: %v", err)
			}
		})
	}
}

// A Dedicated region gets its Deployment and Service, and is Ready only once
// the Deployment has its replicas available. envtest runs no kubelet and no
// Deployment controller, so the test plays their part by writing the
// Deployment's status.
func TestDedicatedServingWaitsForTheDeployment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.create(e.region("sumedang", "sum", func(r *v1alpha1.Region) {
		r.Spec.Serving = v1alpha1.ServingSpec{Mode: v1alpha1.Dedicated, Replicas: ptr.To[int32](2)}
	}))
	got := e.waitCondition(r.Name, v1alpha1.ConditionServingReady, metav1.ConditionFalse)
	e.eventually("DatabaseReady and PolicyReady", func() (bool, string) {
		got = e.get(r.Name)
		return condition(got, v1alpha1.ConditionDatabaseReady).Status == metav1.ConditionTrue &&
			condition(got, v1alpha1.ConditionPolicyReady).Status == metav1.ConditionTrue &&
			condition(got, v1alpha1.ConditionServingReady).Reason == ReasonDeploymentNotAvailable, conditions(got)
	})
	if c := condition(got, v1alpha1.ConditionServingReady); !strings.Contains(c.Message, "0/2") {
		t.Errorf("ServingReady message %q", c.Message)
	}
	if c := condition(got, v1alpha1.ConditionReady); c.Status != metav1.ConditionFalse {
		t.Errorf("Ready without an available Deployment: %s", c.Message)
	}
	ctx := context.Background()
	key := e.key(resources.DedicatedName(r.Name))
	dep, svc := mustGet[appsv1.Deployment](t, key), mustGet[corev1.Service](t, key)
	if !isOwnedBy(dep, got) || !isOwnedBy(svc, got) {
		t.Error("the Deployment or the Service is not owned by the Region")
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if *dep.Spec.Replicas != 2 || c.Image != "ghcr.io/pilar-id/apiserver:test" || !slices.Contains(c.Args, "-region="+r.Name) ||
		!*c.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("Deployment %d replicas, image %s, args %v", *dep.Spec.Replicas, c.Image, c.Args)
	}

	// The replicas become available.
	dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2, UpdatedReplicas: 2}
	if err := k8s.Status().Update(ctx, dep); err != nil {
		t.Fatal(err)
	}
	e.waitReady(r.Name)
	e.quiet()
	if n := e.errors.Load(); n != 0 {
		t.Errorf("%d reconciles failed", n)
	}
	// A second look writes nothing: the defaults the API server filled in
	// are not taken for differences.
	e.writes.Reset()
	if _, err := e.r.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKey{Name: r.Name}}); err != nil {
		t.Fatal(err)
	}
	if n, log := e.writes.Writes(); n != 0 {
		t.Errorf("%d writes on a second look at a Dedicated region: %v", n, log)
	}

	// Back to Shared: the dedicated API server goes.
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Serving = v1alpha1.ServingSpec{Mode: v1alpha1.Shared} })
	e.eventually("the Deployment and Service removed", func() (bool, string) {
		errD, errS := k8s.Get(ctx, key, &appsv1.Deployment{}), k8s.Get(ctx, key, &corev1.Service{})
		return apierrors.IsNotFound(errD) && apierrors.IsNotFound(errS), fmt.Sprint(errD, errS)
	})
	if c := condition(e.waitReady(r.Name), v1alpha1.ConditionServingReady); c.Reason != ReasonSharedAPIServer {
		t.Errorf("ServingReady %s", c.Reason)
	}
}

// The CRD's CEL rules, checked by the API server itself.
func TestCRDValidationRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.stopOperator() // the API server alone
	ctx := context.Background()

	refused := []struct {
		name   string
		mutate func(*v1alpha1.Region)
		want   string
	}{
		{"reserved database postgres", func(r *v1alpha1.Region) { r.Spec.Database.Name = "postgres" }, "reserved database name"},
		{"reserved database template0", func(r *v1alpha1.Region) { r.Spec.Database.Name = "template0" }, "reserved database name"},
		{"reserved database template1", func(r *v1alpha1.Region) { r.Spec.Database.Name = "template1" }, "reserved database name"},
		{"reserved database pg_", func(r *v1alpha1.Region) { r.Spec.Database.Name = "pg_bandung" }, "reserved database name"},
		{"reserved role postgres", func(r *v1alpha1.Region) { r.Spec.Database.Role = "postgres" }, "reserved role name"},
		{"reserved role pg_", func(r *v1alpha1.Region) { r.Spec.Database.Role = "pg_monitor" }, "reserved role name"},
		{"replicas with Shared", func(r *v1alpha1.Region) {
			r.Spec.Serving = v1alpha1.ServingSpec{Mode: v1alpha1.Shared, Replicas: ptr.To[int32](2)}
		}, "only for the Dedicated mode"},
		{"resources with Shared", func(r *v1alpha1.Region) {
			r.Spec.Serving = v1alpha1.ServingSpec{Resources: &corev1.ResourceRequirements{}}
		}, "only for the Dedicated mode"},
		{"negative allocation", func(r *v1alpha1.Region) { r.Spec.TwoPillar.AllocationPerInstitution = -1 }, "allocationPerInstitution"},
		{"negative connection limit", func(r *v1alpha1.Region) { r.Spec.Database.ConnectionLimit = -5 }, "connectionLimit"},
	}
	for i, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			err := k8s.Create(ctx, e.region("sumedang", fmt.Sprintf("bad%d", i), tt.mutate))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("create: %v, want an error saying %q", err, tt.want)
			}
		})
	}

	immutable := []struct {
		name   string
		mutate func(*v1alpha1.Region)
		want   string
	}{
		{"code", func(r *v1alpha1.Region) { r.Spec.Code = "32.99" }, "the region code is immutable"},
		{"database name", func(r *v1alpha1.Region) { r.Spec.Database.Name = "pilar_other" }, "database name is immutable once set"},
		{"database name removed", func(r *v1alpha1.Region) { r.Spec.Database.Name = "" }, "database name is immutable once set"},
		{"role", func(r *v1alpha1.Region) { r.Spec.Database.Role = "other_role" }, "database role is immutable once set"},
	}
	r := e.create(e.region("sumedang", "imm", func(r *v1alpha1.Region) {
		r.Spec.Database.Name, r.Spec.Database.Role = "pilar_imm_"+strings.ReplaceAll(e.id, "-", "_"), "imm_"+strings.ReplaceAll(e.id, "-", "_")
	}))
	for _, tt := range immutable {
		t.Run("immutable "+tt.name, func(t *testing.T) {
			changed := e.get(r.Name)
			tt.mutate(changed)
			err := k8s.Update(ctx, changed)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("update: %v, want an error saying %q", err, tt.want)
			}
		})
	}
	// What may change does.
	e.update(r.Name, func(r *v1alpha1.Region) {
		r.Spec.Database.ConnectionLimit = 5
		r.Spec.Name = "Kabupaten Sumedang (baru)"
	})

	// A name left empty may be set once.
	late := e.create(e.region("sumedang", "late"))
	e.update(late.Name, func(r *v1alpha1.Region) { r.Spec.Database.Name = "pilar_late_" + strings.ReplaceAll(e.id, "-", "_") })
}

// A region whose spec.database.name was empty and is then set (the CRD
// allows it once) would leave its first database behind: refused.
func TestDatabaseRenameIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, _ := e.ready(e.region("sumedang", "sum"))
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Database.Name = "pilar_renamed_" + strings.ReplaceAll(e.id, "-", "_") })
	c := condition(e.waitCondition(r.Name, v1alpha1.ConditionDatabaseReady, metav1.ConditionFalse), v1alpha1.ConditionDatabaseReady)
	if c.Reason != ReasonDatabaseRenamed {
		t.Errorf("DatabaseReady %s: %s", c.Reason, c.Message)
	}
	if pg.HasDatabase(t, "pilar_renamed_"+strings.ReplaceAll(e.id, "-", "_")) {
		t.Error("a second database was made")
	}
}

// The admin Secret missing is a failure that says so, and is retried until
// the Secret appears.
func TestMissingAdminSecretIsReportedAndRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.create(e.region("sumedang", "sum", func(r *v1alpha1.Region) { r.Spec.Database.Server.SecretName = "other-server" }))
	c := condition(e.waitCondition(r.Name, v1alpha1.ConditionDatabaseReady, metav1.ConditionFalse), v1alpha1.ConditionDatabaseReady)
	if c.Reason != ReasonServerUnavailable || !strings.Contains(c.Message, "other-server") {
		t.Errorf("DatabaseReady %s: %s", c.Reason, c.Message)
	}
	admin := mustGet[corev1.Secret](t, e.key(adminSecret))
	admin.ObjectMeta = metav1.ObjectMeta{Namespace: e.namespace, Name: "other-server"}
	if err := k8s.Create(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	e.waitReady(r.Name)
	if e.errors.Load() == 0 {
		t.Error("the missing Secret did not fail a reconcile (and so was not retried with backoff)")
	}
}

// A reclaim policy that cannot be carried out keeps the finalizer and says
// why, in a condition and an event, until it can.
func TestDeletionFailureIsExplained(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	server := mustGet[corev1.Secret](t, e.key(adminSecret)).DeepCopy()
	server.ObjectMeta = metav1.ObjectMeta{Namespace: e.namespace, Name: "doomed-server"}
	mustCreate(t, server)
	r, _ := e.ready(e.region("sumedang", "sum", func(r *v1alpha1.Region) {
		r.Spec.Database.Server.SecretName = "doomed-server"
		r.Spec.Database.ReclaimPolicy = v1alpha1.Delete
	}))

	if err := k8s.Delete(ctx, server); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, e.get(r.Name)); err != nil {
		t.Fatal(err)
	}
	var got *v1alpha1.Region
	e.eventually("DeletionFailed", func() (bool, string) {
		got = e.get(r.Name)
		c := condition(got, v1alpha1.ConditionDatabaseReady)
		return c.Reason == ReasonDeletionFailed, conditions(got)
	})
	c := condition(got, v1alpha1.ConditionDatabaseReady)
	if !strings.Contains(c.Message, "doomed-server") || !strings.Contains(c.Message, Finalizer) {
		t.Errorf("DeletionFailed message %q does not say what is missing and what waits", c.Message)
	}
	if !controllerutil.ContainsFinalizer(got, Finalizer) {
		t.Error("the finalizer went without the database being dropped")
	}
	e.eventually("a warning event", func() (bool, string) {
		w := e.events.Warnings(r.Name)
		return slices.ContainsFunc(w, func(s string) bool { return strings.HasPrefix(s, ReasonDeletionFailed) }), fmt.Sprint(w)
	})

	server.ResourceVersion = ""
	mustCreate(t, server)
	e.waitGone(r.Name)
	if pg.HasDatabase(t, dbName(r)) {
		t.Error("the database survived")
	}
}
