package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/keystore"
	"golang.org/x/term"
)

// Exit statuses of the operation subcommands, as the AWS CLI v2 documents
// them (AWS CLI User Guide, "AWS CLI return codes"): 0 success, 130
// interrupted, 252 a command line that could not be parsed (an unknown
// option, a missing required parameter, an invalid value), 253 an invalid
// environment or configuration (here: the store or the root key), 254 an
// error the service returned, 255 any other failure.
const (
	exitOK        = 0
	exitUsage     = 252
	exitConfig    = 253
	exitService   = 254
	exitOther     = 255
	exitInterrupt = 130
)

// storeEnv names the durable store when --store is not given.
const storeEnv = "EMBEDKMS_STORE"

// clockEnv fixes the clock of the operation subcommands at an RFC 3339
// time, for golden tests of their output; it is not documented in the
// usage text.
const clockEnv = "EMBEDKMS_CLI_CLOCK"

// cliUsage is the AWS CLI's short usage, printed before a usage error.
const cliUsage = `usage: embedkms [options] <subcommand> [parameters]
To see help text, you can run:

  embedkms help
  embedkms <subcommand> help
`

// globalOptions are the options every operation subcommand takes.
type globalOptions struct {
	output        string
	region        string
	account       string
	store, engine string
	rootKeyFile   string
	noPaginate    bool
	maxItems      int // 0: all
	startingToken string
	pageSize      int
	cliInputJSON  string
	query         string
	skeleton      string // --generate-cli-skeleton: "input" or "output"
}

// globalFlags are the options that take a value.
var globalFlags = map[string]func(*globalOptions, string) error{
	"output": func(g *globalOptions, v string) error {
		if v != "json" && v != "text" {
			return &usageError{msg: cliUsage + "embedkms: error: argument --output: Invalid choice, valid choices are:\n\njson                                     | text\n"}
		}
		g.output = v
		return nil
	},
	"region":        func(g *globalOptions, v string) error { g.region = v; return nil },
	"account":       func(g *globalOptions, v string) error { g.account = v; return nil },
	"store":         func(g *globalOptions, v string) error { g.store = v; return nil },
	"engine":        func(g *globalOptions, v string) error { g.engine = v; return nil },
	"root-key-file": func(g *globalOptions, v string) error { g.rootKeyFile = v; return nil },
	"starting-token": func(g *globalOptions, v string) error {
		g.startingToken = v
		return nil
	},
	"max-items":      intOption("max-items", func(g *globalOptions) *int { return &g.maxItems }),
	"page-size":      intOption("page-size", func(g *globalOptions) *int { return &g.pageSize }),
	"cli-input-json": func(g *globalOptions, v string) error { g.cliInputJSON = v; return nil },
	"query": func(g *globalOptions, v string) error {
		if _, ok := query(&value{kind: 'z'}, v); !ok {
			return &usageError{msg: "\nBad value for --query " + v + ": embedkms supports a.b, a[], a[n] and length(a)\n"}
		}
		g.query = v
		return nil
	},
}

// intOption sets the int field of globalOptions that field returns from
// the value of --name, refused as the AWS CLI's argument parser refuses a
// value that is not an integer.
func intOption(name string, field func(*globalOptions) *int) func(*globalOptions, string) error {
	return func(g *globalOptions, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: argument --%s: invalid int value: '%s'\n", name, v)}
		}
		*field(g) = n
		return nil
	}
}

// cliEnv is what a subcommand runs with.
type cliEnv struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// defaults fills the options not given from the environment.
func (g *globalOptions) defaults(getenv func(string) string) {
	if g.output == "" {
		g.output = firstOf(getenv("AWS_DEFAULT_OUTPUT"), "json")
	}
	if g.region == "" {
		g.region = firstOf(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), kms.DefaultRegion)
	}
	if g.account == "" {
		g.account = firstOf(getenv("EMBEDKMS_ACCOUNT"), kms.DefaultAccountID)
	}
	if g.store == "" {
		g.store = firstOf(getenv(storeEnv), "memory")
	}
	if g.engine == "" {
		g.engine = "badger"
	}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// runOperation runs the operation subcommand c with args and returns the
// exit status.
func runOperation(env cliEnv, c *opCommand, args []string) int {
	g, values, err := parseOpArgs(c, args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(env.stdout, commandHelp(c))
		return exitOK
	}
	if err != nil {
		return report(env.stderr, err)
	}
	if g.skeleton != "" {
		t := c.in
		if g.skeleton == "output" {
			t = c.out
		}
		if err := writeJSON(env.stdout, skeleton(t, nil)); err != nil {
			return report(env.stderr, err)
		}
		return exitOK
	}
	g.defaults(env.getenv)
	input, err := buildInput(c, g, values)
	if err != nil {
		return report(env.stderr, err)
	}
	h, err := openHandle(env, g)
	if err != nil {
		return report(env.stderr, err)
	}
	defer h.close()
	resp, err := call(env.ctx, h, c, input, g)
	if err != nil {
		return report(env.stderr, err)
	}
	return printResponse(env.stdout, env.stderr, c, resp, g)
}

// errHelp asks for a subcommand's help.
var errHelp = errors.New("help")

// report prints err as the AWS CLI prints it and returns the exit status.
func report(stderr io.Writer, err error) int {
	var ue *usageError
	var se *serviceError
	var ce *configError
	switch {
	case errors.As(err, &ue):
		fmt.Fprint(stderr, ue.msg)
		return exitUsage
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", se.code, se.op, se.message)
		return exitService
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "\n%s\n", ce.msg)
		return exitConfig
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr)
		return exitInterrupt
	}
	fmt.Fprintf(stderr, "\n%v\n", err)
	return exitOther
}

// serviceError is an error response of an operation.
type serviceError struct{ code, message, op string }

func (e *serviceError) Error() string { return e.code + ": " + e.message }

// configError is a store or root key that cannot be used.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// parseOpArgs parses an operation's command line as the AWS CLI does:
// options and parameters in any order, --name value or --name=value, a
// list parameter taking every value up to the next option.
func parseOpArgs(c *opCommand, args []string) (globalOptions, map[*param][]string, error) {
	var g globalOptions
	values := map[*param][]string{}
	var unknown []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "help" && i == 0 {
			return g, nil, errHelp
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") {
			unknown = append(unknown, a)
			continue
		}
		next := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				return args[i], nil
			}
			return "", &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: argument --%s: expected one argument\n", name)}
		}
		if set, ok := globalFlags[name]; ok {
			v, err := next()
			if err != nil {
				return g, nil, err
			}
			if err := set(&g, v); err != nil {
				return g, nil, err
			}
			continue
		}
		if name == "no-paginate" {
			g.noPaginate = true
			continue
		}
		if name == "generate-cli-skeleton" {
			g.skeleton = "input"
			if hasVal {
				g.skeleton = val
			} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				g.skeleton = args[i]
			}
			if g.skeleton != "input" && g.skeleton != "output" {
				return g, nil, &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: argument --generate-cli-skeleton: Invalid choice, valid choices are:\n\ninput                                    | output\n")}
			}
			continue
		}
		p := c.param(name)
		negated := false
		if p == nil && strings.HasPrefix(name, "no-") {
			if q := c.param(strings.TrimPrefix(name, "no-")); q != nil && kindOf(q.typ) == kindBool {
				p, negated = q, true
			}
		}
		if p == nil {
			unknown = append(unknown, a)
			continue
		}
		switch kindOf(p.typ) {
		case kindBool:
			values[p] = []string{strconv.FormatBool(!negated)}
		case kindStringList, kindStructList:
			var vs []string
			if hasVal {
				vs = append(vs, val)
			}
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				vs = append(vs, args[i])
			}
			if len(vs) == 0 {
				return g, nil, &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: argument --%s: expected at least one argument\n", p.flag)}
			}
			values[p] = vs
		default:
			v, err := next()
			if err != nil {
				return g, nil, err
			}
			values[p] = []string{v}
		}
	}
	if len(unknown) > 0 {
		return g, nil, &usageError{msg: cliUsage + "\nUnknown options: " + strings.Join(unknown, ", ") + "\n"}
	}
	if g.cliInputJSON == "" && g.skeleton == "" {
		var missing []string
		for _, p := range c.params {
			if _, ok := values[p]; p.required && !ok {
				missing = append(missing, "--"+p.flag)
			}
		}
		if len(missing) > 0 {
			return g, nil, &usageError{msg: cliUsage + "embedkms: error: the following arguments are required: " + strings.Join(missing, ", ") + "\n"}
		}
	}
	return g, values, nil
}

// buildInput merges --cli-input-json and the parameters given into the
// request's members, checked as the AWS CLI checks them.
func buildInput(c *opCommand, g globalOptions, values map[*param][]string) (map[string]any, error) {
	user := map[string]any{}
	if g.cliInputJSON != "" {
		text, _, err := loadParamFile("cli-input-json", g.cliInputJSON)
		if err != nil {
			return nil, err
		}
		v, err := parseJSON("cli-input-json", text)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, &usageError{msg: "\nInvalid type for parameter input, value: " + pyRepr(v) + ", type: " + pyType(v) + ", valid types: <class 'dict'>\n"}
		}
		user = m
	}
	for _, p := range c.params {
		vals, ok := values[p]
		if !ok {
			continue
		}
		if kindOf(p.typ) == kindBool {
			user[p.member] = vals[0] == "true"
			continue
		}
		v, err := parseParam(p, vals)
		if err != nil {
			return nil, err
		}
		user[p.member] = v
	}
	var v validation
	wire := structToWire(user, c.in, "", &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	return wire, nil
}

// handle is an open handle with the wire handler in front of it.
type handle struct {
	h       http.Handler
	k       *kms.KMS
	handles *awsapi.Handles
	store   backend.Store
}

func (h *handle) close() {
	if h.handles != nil {
		h.handles.Close()
	}
	if h.store != nil {
		h.store.Close()
	}
}

// fixedClock is the clock of EMBEDKMS_CLI_CLOCK.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// openHandle opens the store and the handle of g's account and Region.
func openHandle(env cliEnv, g globalOptions) (*handle, error) {
	if !accountRE.MatchString(g.account) {
		return nil, &configError{msg: fmt.Sprintf("--account %q is not a 12-digit AWS account id", g.account)}
	}
	if _, ok := awsapi.Partition(g.region); !ok {
		return nil, &configError{msg: fmt.Sprintf("Provided region_name '%s' doesn't match a supported format.", g.region)}
	}
	opts := kms.Options{}
	if t := env.getenv(clockEnv); t != "" {
		ct, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return nil, &configError{msg: clockEnv + " is not an RFC 3339 time: " + err.Error()}
		}
		opts.Clock = fixedClock(ct)
	}
	h := &handle{}
	if g.store != "memory" {
		source, err := cliRootKey(env, g)
		if err != nil {
			return nil, err
		}
		store, err := openStore(env.ctx, config{store: g.store, engine: g.engine})
		if err != nil {
			return nil, &configError{msg: err.Error()}
		}
		h.store = store
		opts.Backend, opts.RootKeySource = store, source
	}
	h.handles = awsapi.NewHandles(opts)
	k, err := h.handles.Handle(g.account, g.region)
	if err != nil {
		h.close()
		if errors.Is(err, keystore.ErrWrongRootKey) {
			return nil, &configError{msg: fmt.Sprintf("the root key is not the one store %s was created with: %v", g.store, err)}
		}
		return nil, &configError{msg: err.Error()}
	}
	h.k = k
	h.h = awsapi.NewHandler(k, awsapi.WithHandles(h.handles))
	return h, nil
}

// cliRootKey returns the root key of a durable store: --root-key-file,
// EMBEDKMS_ROOT_KEY, or a passphrase read from the terminal.
func cliRootKey(env cliEnv, g globalOptions) (keystore.RootKeySource, error) {
	source, err := rootKey(config{rootKeyFile: g.rootKeyFile}, env.getenv)
	if err != nil {
		return nil, &configError{msg: strings.ReplaceAll(err.Error(), "-root-key-file", "--root-key-file")}
	}
	if source != nil {
		return source, nil
	}
	f, ok := env.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, &configError{msg: fmt.Sprintf("--store %s needs its root key: give --root-key-file FILE, set %s, or run on a terminal to type its passphrase", g.store, rootKeyEnv)}
	}
	fmt.Fprintf(env.stderr, "Passphrase for %s: ", g.store)
	pass, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.stderr)
	if err != nil {
		return nil, &configError{msg: "reading the passphrase: " + err.Error()}
	}
	if len(pass) == 0 {
		return nil, &configError{msg: "the passphrase is empty"}
	}
	return keystore.PassphraseRootKey(pass), nil
}

// invoke sends one request through the wire handler and returns the
// response body.
func invoke(ctx context.Context, h *handle, op string, input map[string]any) ([]byte, error) {
	body, err := requestBody(input)
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rec.Code != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("embedkms: unreadable error response %q", rec.Body.String())
		}
		// A type may be namespaced (aws.protocoltests#Name): the AWS CLI
		// prints the name.
		if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
			e.Type = e.Type[i+1:]
		}
		return nil, &serviceError{code: e.Type, message: e.Message, op: op}
	}
	return rec.Body.Bytes(), nil
}

// response is what a command prints: one response, or the pages of a
// paginated one merged.
type response struct {
	pages     []*value // each page's result (one page unless paginated)
	nextToken string   // the AWS CLI's NextToken, when --max-items stopped early
}

// call runs the operation, paginating it as the AWS CLI does unless
// --no-paginate: every page is fetched and their result lists merged;
// --max-items stops after that many items and prints a NextToken that
// --starting-token resumes from (botocore's pagination token: the base64
// of {"Marker": ..., "boto_truncate_amount": n}).
func call(ctx context.Context, h *handle, c *opCommand, input map[string]any, g globalOptions) (*response, error) {
	if c.pager == nil || g.noPaginate {
		body, err := invoke(ctx, h, c.op, input)
		if err != nil {
			return nil, err
		}
		v, err := parseResponse(body, c.out)
		if err != nil {
			return nil, err
		}
		return &response{pages: []*value{v}}, nil
	}
	skip := 0
	if g.startingToken != "" {
		marker, n, err := decodeToken(g.startingToken)
		if err != nil {
			return nil, err
		}
		if marker != nil {
			input["Marker"] = marker
		}
		skip = n
	}
	if g.pageSize > 0 {
		input["Limit"] = g.pageSize
	}
	res := &response{}
	items := 0
	// skipped is how many items of the page being read the starting token
	// skipped: a token cutting that page again counts from its start.
	skipped := skip
	for {
		body, err := invoke(ctx, h, c.op, input)
		if err != nil {
			return nil, err
		}
		v, err := parseResponse(body, c.out)
		if err != nil {
			return nil, err
		}
		list := v.fields[c.pager.resultKey]
		if list == nil {
			list = &value{kind: 'a'}
		}
		page := &value{kind: 'o', keys: []string{c.pager.resultKey}, fields: map[string]*value{c.pager.resultKey: list}}
		got := list.items
		if skip > 0 {
			got = got[min(skip, len(got)):]
			skip = 0
			list.items = got
		}
		more := v.fields["Truncated"] != nil && v.fields["Truncated"].bool && v.fields["NextMarker"] != nil
		if g.maxItems > 0 && items+len(got) >= g.maxItems {
			take := g.maxItems - items
			list.items = got[:take]
			res.pages = append(res.pages, page)
			// Resume within this page when it was cut, else at the next.
			switch {
			case take < len(got):
				res.nextToken = encodeToken(input["Marker"], skipped+take)
			case more:
				res.nextToken = encodeToken(v.fields["NextMarker"].str, 0)
			}
			return res, nil
		}
		items += len(got)
		res.pages = append(res.pages, page)
		if !more {
			return res, nil
		}
		input["Marker"] = v.fields["NextMarker"].str
		skipped = 0
	}
}

// encodeToken is botocore's pagination token.
func encodeToken(marker any, truncate int) string {
	var b strings.Builder
	b.WriteString(`{"Marker": `)
	m, _ := json.Marshal(marker)
	b.Write(m)
	if truncate > 0 {
		b.WriteString(`, "boto_truncate_amount": ` + strconv.Itoa(truncate))
	}
	b.WriteString("}")
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}

// decodeToken reads a token of encodeToken.
func decodeToken(tok string) (marker any, skip int, err error) {
	raw, err := base64.StdEncoding.DecodeString(tok)
	var t struct {
		Marker   *string `json:"Marker"`
		Truncate int     `json:"boto_truncate_amount"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	if err != nil {
		return nil, 0, &usageError{msg: "\nBad starting token: " + tok + "\n"}
	}
	if t.Marker == nil {
		return nil, t.Truncate, nil
	}
	return *t.Marker, t.Truncate, nil
}

// printResponse prints res in the --output format.
func printResponse(stdout, stderr io.Writer, c *opCommand, res *response, g globalOptions) int {
	var err error
	if g.query != "" {
		// The AWS CLI applies --query to the whole (merged) result.
		merged := res.pages[0]
		if len(res.pages) > 1 || c.pager != nil && !g.noPaginate {
			merged = mergePages(c.pager.resultKey, res.pages)
		}
		if res.nextToken != "" {
			merged.keys = append(merged.keys, "NextToken")
			merged.fields["NextToken"] = &value{kind: 's', str: res.nextToken}
		}
		q, _ := query(merged, g.query)
		res = &response{pages: []*value{q}}
		c = &opCommand{name: c.name}
	}
	if g.output == "text" {
		for _, p := range res.pages {
			if err = writeText(stdout, p); err != nil {
				break
			}
		}
		if err == nil && res.nextToken != "" {
			// The AWS CLI prints the token after the pages.
			err = writeText(stdout, &value{kind: 'o', keys: []string{"NextToken"}, fields: map[string]*value{"NextToken": {kind: 'o', keys: []string{"NextToken"}, fields: map[string]*value{"NextToken": {kind: 's', str: res.nextToken}}}}})
		}
	} else {
		merged := res.pages[0]
		if len(res.pages) > 1 || c.pager != nil && !g.noPaginate {
			merged = mergePages(c.pager.resultKey, res.pages)
		}
		if res.nextToken != "" {
			merged.keys = append(merged.keys, "NextToken")
			merged.fields["NextToken"] = &value{kind: 's', str: res.nextToken}
		}
		err = writeJSON(stdout, merged)
	}
	if err != nil {
		return report(stderr, err)
	}
	return exitOK
}

// mergePages is botocore's build_full_result: the result lists of every
// page, in order, under the result key.
func mergePages(key string, pages []*value) *value {
	all := &value{kind: 'a', items: []*value{}}
	for _, p := range pages {
		all.items = append(all.items, p.fields[key].items...)
	}
	return &value{kind: 'o', keys: []string{key}, fields: map[string]*value{key: all}}
}

// commandHelp is the help of an operation subcommand.
func commandHelp(c *opCommand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "embedkms %s\n\nCalls the AWS KMS %s operation on the local store, as `aws kms %s` calls it on AWS KMS.\n\nParameters:\n\n", c.name, c.op, c.name)
	for _, p := range c.params {
		req := ""
		if p.required {
			req = " (required)"
		}
		fmt.Fprintf(&b, "  --%s %s%s\n", p.flag, paramSyntax(p), req)
	}
	b.WriteString("\nOptions: --output json|text, --region, --account, --store DIR|memory, --engine badger|file,\n--root-key-file FILE, --cli-input-json JSON|file://FILE")
	if c.pager != nil {
		b.WriteString(",\n--no-paginate, --max-items N, --starting-token TOKEN, --page-size N")
	}
	b.WriteString("\n")
	return b.String()
}

// paramSyntax describes the value a parameter takes.
func paramSyntax(p *param) string {
	switch kindOf(p.typ) {
	case kindBlob:
		return "<blob: base64 or fileb://FILE>"
	case kindInt:
		return "<integer>"
	case kindBool:
		return "| --no-" + p.flag
	case kindTime:
		return "<timestamp>"
	case kindStringList:
		return "<value> [<value>...]"
	case kindMap:
		return "<k=v,k2=v2 or JSON>"
	case kindStruct:
		return "<shorthand or JSON>"
	case kindStructList:
		return "<shorthand> [<shorthand>...] or JSON"
	}
	return "<string>"
}
