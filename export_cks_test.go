package kms

import "errors"

// CloseCustomKeyStoreConnectionForTest closes the token of a connected
// AWS_CLOUDHSM store under the handle, as a token that stops answering,
// leaving the store CONNECTED.
func (k *KMS) CloseCustomKeyStoreConnectionForTest(id string) error {
	conn := k.cks.live(id)
	if conn == nil || conn.token == nil {
		return errors.New("no live token connection")
	}
	return conn.token.Close()
}
