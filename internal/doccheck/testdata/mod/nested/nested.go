package nested

func UndocNested() {}
