package pub

// Pub is documented.
var Pub = 1

func UndocPub() {}
