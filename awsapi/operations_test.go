package awsapi

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kms "github.com/embedkms/kms"
)

// tableProblems checks an operation table against the AWS KMS model, as
// the AWS SDK's KMS client (pinned in go.mod) has it, and against a
// handle type:
//   - every entry is a method of the SDK's client taking *<Name>Input and
//     returning *<Name>Output;
//   - every entry calls the handle's method of its name: its input and
//     output are that method's, <Name>Input and <Name>Output;
//   - every exported method of the handle shaped as an operation,
//     func(context.Context, *I) (*O, error), is in the table, except
//     embedkms's own (handleOnly).
func tableProblems(ops map[string]operation, handle, sdk reflect.Type) []string {
	var problems []string
	ctxType, errType := reflect.TypeFor[context.Context](), reflect.TypeFor[error]()
	sdkPkg := reflect.TypeFor[awskms.Client]().PkgPath()
	for _, name := range slices.Sorted(maps.Keys(ops)) {
		op := ops[name]
		m, ok := sdk.MethodByName(name)
		switch {
		case !ok:
			problems = append(problems, name+": not an operation of the SDK's KMS client")
		case m.Type.NumIn() < 3 || m.Type.NumOut() != 2 ||
			m.Type.In(2).Kind() != reflect.Pointer || m.Type.Out(0).Kind() != reflect.Pointer ||
			m.Type.In(2).Elem().PkgPath() != sdkPkg || m.Type.In(2).Elem().Name() != name+"Input" ||
			m.Type.Out(0).Elem().PkgPath() != sdkPkg || m.Type.Out(0).Elem().Name() != name+"Output":
			problems = append(problems, name+": the SDK's client method is "+m.Type.String()+", not an operation "+name)
		}
		if op.in.Name() != name+"Input" || op.out.Name() != name+"Output" {
			problems = append(problems, name+": served with "+op.in.Name()+" and "+op.out.Name())
		}
		hm, ok := handle.MethodByName(name)
		if !ok || hm.Type.NumIn() != 3 || hm.Type.NumOut() != 2 ||
			hm.Type.In(2) != reflect.PointerTo(op.in) || hm.Type.Out(0) != reflect.PointerTo(op.out) {
			problems = append(problems, name+": does not call the handle's method "+name)
		}
	}
	for i := range handle.NumMethod() {
		m := handle.Method(i)
		ft := m.Type // with the receiver first
		if ft.NumIn() != 3 || ft.NumOut() != 2 || ft.In(1) != ctxType || ft.Out(1) != errType ||
			ft.In(2).Kind() != reflect.Pointer || ft.Out(0).Kind() != reflect.Pointer {
			continue
		}
		if _, ok := ops[m.Name]; !ok && !handleOnly[m.Name] && !notServedYet[m.Name] {
			problems = append(problems, m.Name+": a method of the handle shaped as an operation, not in the table")
		}
	}
	return problems
}

// handleOnly are the handle's methods shaped as operations that are
// embedkms's own, not AWS KMS operations: not served.
var handleOnly = map[string]bool{"Explain": true}

// notServedYet are AWS KMS operations the handle implements that the wire
// table does not serve yet (none today). Remove a name when its entry
// joins the table.
var notServedYet = map[string]bool{}

// handleWithExtra is a handle that gained an operation-shaped method.
type handleWithExtra struct{ *kms.KMS }

func (handleWithExtra) Frobnicate(context.Context, *kms.ListKeysInput) (*kms.ListKeysOutput, error) {
	return nil, nil
}

func TestOperationTable(t *testing.T) {
	handle, sdk := reflect.TypeFor[*kms.KMS](), reflect.TypeFor[*awskms.Client]()
	if p := tableProblems(operations, handle, sdk); len(p) > 0 {
		t.Errorf("operations:\n%s", strings.Join(p, "\n"))
	}
	if got, want := Operations(), slices.Sorted(maps.Keys(operations)); !slices.Equal(got, want) {
		t.Errorf("Operations() = %v, want the table's names sorted: %v", got, want)
	}

	// The check fails for each way the table can go wrong.
	with := func(f func(map[string]operation)) map[string]operation {
		ops := maps.Clone(operations)
		f(ops)
		return ops
	}
	tests := []struct {
		name   string
		ops    map[string]operation
		handle reflect.Type
		want   string
	}{
		{"handle method left out", with(func(o map[string]operation) { delete(o, "ReEncrypt") }), handle,
			"ReEncrypt: a method of the handle shaped as an operation, not in the table"},
		{"new handle method not added", operations, reflect.TypeFor[handleWithExtra](),
			"Frobnicate: a method of the handle shaped as an operation, not in the table"},
		{"entry not an AWS operation", with(func(o map[string]operation) { o["Frobnicate"] = serve((*kms.KMS).ListKeys) }), handle,
			"Frobnicate: not an operation of the SDK's KMS client"},
		{"entry of an SDK client method that is not an operation", with(func(o map[string]operation) { o["Options"] = serve((*kms.KMS).ListKeys) }), handle,
			"Options: the SDK's client method is"},
		{"entry calling another method", with(func(o map[string]operation) { o["Encrypt"] = serve((*kms.KMS).Decrypt) }), handle,
			"Encrypt: served with DecryptInput and DecryptOutput"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tableProblems(tt.ops, tt.handle, sdk)
			if !slices.ContainsFunc(p, func(s string) bool { return strings.HasPrefix(s, tt.want) }) {
				t.Errorf("problems %q, want one starting %q", p, tt.want)
			}
		})
	}
}

// An operation of the model that the handle does not implement is answered
// as any unknown operation: UnknownOperationException, 400.
func TestUnimplementedModelOperations(t *testing.T) {
	k := newHandle(t)
	h := NewHandler(k)
	sdk := reflect.TypeFor[*awskms.Client]()
	var unimplemented []string
	seen := 0
	for i := range sdk.NumMethod() {
		m := sdk.Method(i)
		if m.Type.NumIn() < 3 || m.Type.In(2).Kind() != reflect.Pointer || m.Type.In(2).Elem().Name() != m.Name+"Input" {
			continue
		}
		seen++
		if _, ok := operations[m.Name]; ok {
			continue
		}
		unimplemented = append(unimplemented, m.Name)
		r := httptest.NewRequest(http.MethodPost, "https://kms.us-east-1.amazonaws.com/", strings.NewReader("{}"))
		r.Header.Set("X-Amz-Target", targetPrefix+m.Name)
		r.Header.Set("Content-Type", jsonType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusBadRequest || rec.Header().Get("X-Amzn-ErrorType") != "UnknownOperationException" {
			t.Errorf("%s: %d %s, want 400 UnknownOperationException", m.Name, rec.Code, rec.Body)
		}
	}
	// The loop saw the SDK's operations: the model has 53 (served or not).
	if seen < 53 || seen != len(operations)+len(unimplemented) {
		t.Errorf("%d SDK operations seen, %d served, %d not served %v", seen, len(operations), len(unimplemented), unimplemented)
	}
}
