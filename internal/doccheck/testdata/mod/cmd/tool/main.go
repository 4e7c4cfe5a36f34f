package main

func UndocMain() {}

func main() {}
