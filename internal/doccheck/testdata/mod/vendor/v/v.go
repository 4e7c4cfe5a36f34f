package v

func UndocVendored() {}
