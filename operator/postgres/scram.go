package postgres

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// scramIterations is PostgreSQL's default (scram_iterations).
const scramIterations = 4096

// scramVerifier returns the SCRAM-SHA-256 verifier PostgreSQL stores for
// password, with a fresh salt. Sent as the role's PASSWORD, the server keeps
// it as it is, so the password itself never reaches the server.
func scramVerifier(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("postgres: unable to make a salt: %w", err)
	}
	return scramVerifierWith(password, salt, scramIterations)
}

// scramVerifierWith is RFC 5802's StoredKey and ServerKey in PostgreSQL's
// format: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
func scramVerifierWith(password string, salt []byte, iterations int) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("postgres: unable to derive the password's key: %w", err)
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(storedKey[:]), b64(serverKey)), nil
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// checkPassword accepts non-empty printable ASCII passwords: for them
// SASLprep, which PostgreSQL applies before hashing, changes nothing, so the
// verifier computed here is the one the server would compute.
func checkPassword(p string) error {
	if p == "" {
		return errors.New("postgres: the password is empty")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x21 || p[i] > 0x7e {
			return errors.New("postgres: the password must be printable ASCII without spaces")
		}
	}
	return nil
}
