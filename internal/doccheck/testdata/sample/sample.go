// Package sample is the doc-coverage checker's test input: each exported
// identifier is documented or not as its name says (Doc..., Undoc...).
package sample

// DocType is documented.
type DocType struct {
	// DocField is documented above.
	DocField   int
	LineField  int // LineField is documented on its line.
	UndocField int
	unexported int
	// Embedded fields need no comment.
	DocType2
	// DocNested is documented; its own fields are checked too.
	DocNested struct {
		// Inner is documented.
		Inner      int
		UndocInner int
	}
	A, B int // A and B share this comment, so both are documented.
	//
	UndocEmptyComment int
}

// DocType2 is documented.
type DocType2 struct{}

type UndocType struct {
	UndocFieldOfUndocType int
}

type unexportedType struct {
	FieldOfUnexported int
}

// DocMethod is documented.
func (DocType) DocMethod() {}

func (*DocType) UndocMethod() {}

func (unexportedType) MethodOfUnexported() {}

func (DocType) unexportedMethod() {}

// DocFunc is documented.
func DocFunc() {}

func UndocFunc() {}

func unexportedFunc() {}

// DocGeneric is documented.
type DocGeneric[T any] struct{}

func (*DocGeneric[T]) UndocGenericMethod() {}

// DocIface is documented.
type DocIface interface {
	// DocM is documented.
	DocM()
	UndocM()
	LineM() // LineM is documented on its line.
	DocType2Iface
}

// DocType2Iface is documented.
type DocType2Iface interface{}

// Enum-like: the group's doc documents its constants.
const (
	GroupConstA = iota
	GroupConstB
)

const (
	// DocConstInGroup is documented.
	DocConstInGroup   = 1
	UndocConstInGroup = 2
	LineConst         = 3 // LineConst is documented on its line.
)

// DocConst is documented.
const DocConst = 4

const UndocConst = 5

// A var group's doc documents no member of a group of two or more.
var (
	UndocVarInGroup  = 1
	UndocVarInGroup2 = 2
	// DocVarInGroup is documented.
	DocVarInGroup = 3
)

// A group of one is documented by the group's doc.
var (
	DocVarGroupOfOne = 1
)

// DocVar is documented.
var DocVar, DocVar2 = 1, 2

var UndocVar = 1

var unexportedVar = 1

// A type group's doc documents no member of a group of two or more.
type (
	UndocTypeInGroup int
	// DocTypeInGroup is documented.
	DocTypeInGroup int
)
