package sample

func UndocInTestFile() {}
