package sample

// This file has no package doc; the other file's is enough.

func UndocInOtherFile() {}
