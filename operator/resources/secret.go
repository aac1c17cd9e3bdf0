package resources

import (
	"net"
	"net/url"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"pilar.id/pilar/operator/api/v1alpha1"
)

// Credentials is how a region's API server reaches the region's database.
type Credentials struct {
	Host     string
	Port     int
	Username string
	Password string
	Database string
	// SSLMode is a libpq sslmode; "disable" when empty.
	SSLMode string
}

// URI returns postgres://user:pass@host:port/db?sslmode=..., escaped as a URL needs.
func (c Credentials) URI() string {
	mode := c.SSLMode
	if mode == "" {
		mode = "disable"
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.Username, c.Password),
		Host:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path:     "/" + c.Database,
		RawQuery: url.Values{"sslmode": {mode}}.Encode(),
	}
	return u.String()
}

// CredentialsSecret is the region's credentials Secret, with the keys
// username, password, database, host, port and uri.
func CredentialsSecret(region *v1alpha1.Region, namespace string, c Credentials) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: objectMeta(region, SecretName(region.Name), namespace),
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			KeyUsername: []byte(c.Username),
			KeyPassword: []byte(c.Password),
			KeyDatabase: []byte(c.Database),
			KeyHost:     []byte(c.Host),
			KeyPort:     []byte(strconv.Itoa(c.Port)),
			KeyURI:      []byte(c.URI()),
		},
	}
}
