package hidden

func UndocHidden() {}
