#!/usr/bin/env bash
# Mutation check: applies each mutant listed in scripts/mutants.txt (format
# at the top of that file) and runs the tests named for it, which must
# FAIL. The working tree is never touched: each mutated file is written to
# a temporary directory and given to `go test -overlay`.
#
# Fails (exit 1, naming the mutant) when a mutant's tests pass, when a
# mutant does not compile, when its snippet is not found exactly once in its
# file (so the list cannot silently rot as the code changes), or when the
# tests it names fail or match nothing on the unmutated code.
#
# Usage: scripts/mutants.sh [LIST]   (default scripts/mutants.txt)
# MUTANTS_JOBS sets how many mutants run at once (default: the CPUs);
# MUTANTS_VERBOSE=1 prints, for each mutant, the tests that caught it.
# MUTANTS_SAMPLE=N runs only about N of them: slice D mod K of the list,
# where K = ceil(count/N) and D is the UTC day number (MUTANTS_SLICE=D
# picks another), taking every K-th entry so each slice spans the whole
# list; K consecutive days run every mutant. The find-once check still
# covers every entry. Unset or 0: all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
list=${1:-scripts/mutants.txt}
jobs=${MUTANTS_JOBS:-$(nproc 2>/dev/null || echo 2)}
shopt -u patsub_replacement 2>/dev/null || true # "&" in a replacement is literal

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

die() { echo "mutants: $*" >&2; exit 1; }

# --- parse the list into $tmp/N/{name,file,pkg,run,find,replace} ---
n=0 field= lineno=0
start_entry() { n=$((n + 1)); mkdir "$tmp/$n"; echo "$lineno" >"$tmp/$n/line"; }
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $line in
  '#'*) continue ;;
  '') field= ; continue ;;
  '|'*)
    [ -n "$field" ] || die "$list:$lineno: '|' line outside find:/replace:"
    f="$tmp/$n/$field"
    if [ -s "$f.set" ]; then printf '\n' >>"$f"; fi
    printf '%s' "${line:1}" >>"$f"; echo 1 >"$f.set"
    ;;
  *:*)
    key=${line%%:*} val=${line#*:}
    val=${val# }
    case $key in
    name)
      start_entry
      printf '%s' "$val" >"$tmp/$n/name" ;;
    file | pkg | run | find | replace)
      [ "$n" -gt 0 ] || die "$list:$lineno: $key: before the first name:"
      [ ! -e "$tmp/$n/$key" ] || die "$list:$lineno: $key: given twice"
      printf '%s' "$val" >"$tmp/$n/$key"
      : >"$tmp/$n/$key.set"
      if [ -n "$val" ]; then echo 1 >"$tmp/$n/$key.set"; fi
      field=
      if [ "$key" = find ] || [ "$key" = replace ]; then
        if [ -z "$val" ]; then field=$key; fi
      fi
      ;;
    *) die "$list:$lineno: unknown field '$key'" ;;
    esac
    ;;
  *) die "$list:$lineno: cannot parse: $line" ;;
  esac
done <"$list"
[ "$n" -gt 0 ] || die "$list has no mutants"

# --- check each entry, build its mutated file and overlay ---
declare -A seen
for i in $(seq 1 "$n"); do
  d=$tmp/$i
  at="$list:$(cat "$d/line")"
  name=$(cat "$d/name")
  [ -n "$name" ] || die "$at: empty name"
  [ -z "${seen[$name]:-}" ] || die "$at: duplicate name '$name'"
  seen[$name]=1
  for f in file pkg find replace; do
    [ -e "$d/$f" ] || die "$at ($name): no $f:"
  done
  file=$(cat "$d/file")
  [ -f "$file" ] || die "$at ($name): no file $file"
  case $file in *.go) ;; *) die "$at ($name): $file is not a .go file" ;; esac
  case $file in *_test.go) die "$at ($name): mutate code, not tests ($file)" ;; esac
  run=$(cat "$d/run" 2>/dev/null || true)
  case $run in */*) die "$at ($name): run: regex must not contain '/' (top-level tests only)" ;; esac
  find=$(cat "$d/find"; printf x); find=${find%x}
  repl=$(cat "$d/replace"; printf x); repl=${repl%x}
  [ -n "$find" ] || die "$at ($name): empty find:"
  [ "$find" != "$repl" ] || die "$at ($name): replace: is the same as find:"
  content=$(cat "$file"; printf x); content=${content%x}
  rest=$content count=0
  while [[ $rest == *"$find"* ]]; do rest=${rest#*"$find"}; count=$((count + 1)); done
  [ "$count" -eq 1 ] || die "$at ($name): snippet found $count times in $file, want exactly 1:
$find"
  mkdir -p "$d/src"
  printf '%s' "${content/"$find"/"$repl"}" >"$d/src/$(basename "$file")"
  printf '{"Replace":{"%s":"%s"}}\n' "$root/$file" "$d/src/$(basename "$file")" >"$d/overlay.json"
done

# --- choose the mutants to run ---
chosen=()
sample=${MUTANTS_SAMPLE:-0}
if [ "$sample" -gt 0 ] && [ "$n" -gt "$sample" ]; then
  k=$(((n + sample - 1) / sample))
  day=${MUTANTS_SLICE:-$(($(date -u +%s) / 86400))}
  slice=$((day % k))
  for i in $(seq 1 "$n"); do
    if [ $(((i - 1) % k)) -eq "$slice" ]; then chosen+=("$i"); fi
  done
  echo "mutants: running slice $slice of $k (${#chosen[@]} of $n mutants; MUTANTS_SAMPLE=0 runs all)"
else
  chosen=($(seq 1 "$n"))
fi

# --- baseline: the named tests pass on the unmutated code ---
declare -A runs
for i in "${chosen[@]}"; do
  pkg=$(cat "$tmp/$i/pkg") run=$(cat "$tmp/$i/run" 2>/dev/null || true)
  [ -n "$run" ] || run=.
  runs[$pkg]="${runs[$pkg]:+${runs[$pkg]}|}($run)"
done
for pkg in "${!runs[@]}"; do
  if ! out=$(go test -count=1 -run "${runs[$pkg]}" "$pkg" 2>&1); then
    echo "$out" >&2; die "the tests named for $pkg fail on the unmutated code"
  fi
done
# --- run the mutants, $jobs at a time ---
run_one() {
  local d=$1 pkg run out rc=0
  pkg=$(cat "$d/pkg") run=$(cat "$d/run" 2>/dev/null || true)
  [ -n "$run" ] || run=.
  # The overlay goes through GOFLAGS so that the go commands the tests
  # run themselves (cmd/embedkms builds its binary) build the mutant too.
  # -vet=off and a link without DWARF: go test's vet pass and debug info
  # are most of a mutant's build time, and neither can catch a mutant.
  out=$(GOFLAGS="${GOFLAGS:+$GOFLAGS }-overlay=$d/overlay.json" go test -count=1 -vet=off -ldflags=-w -run "$run" "$pkg" 2>&1) || rc=$?
  printf '%s\n' "$out" >"$d/output"
  if [ "$rc" -eq 0 ] && grep -q '\[no tests to run\]' <<<"$out"; then
    echo "survived (run: matches no test)" >"$d/result"
  elif [ "$rc" -eq 0 ]; then
    echo survived >"$d/result"
  elif grep -q '\[build failed\]\|\[setup failed\]\|^# ' <<<"$out"; then
    echo "does not compile" >"$d/result"
  else
    echo caught >"$d/result"
  fi
}
begin=$SECONDS
for i in "${chosen[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$tmp/$i" &
done
wait

failed=0
for i in "${chosen[@]}"; do
  d=$tmp/$i
  result=$(cat "$d/result" 2>/dev/null || echo "did not run")
  if [ "$result" = caught ] && [ -n "${MUTANTS_VERBOSE:-}" ]; then
    echo "caught: $(cat "$d/name") by" $(grep -o -- '--- FAIL: [^ ]*' "$d/output" | cut -d' ' -f3 | head -8)
  fi
  if [ "$result" != caught ]; then
    failed=$((failed + 1))
    echo "MUTANT $result: $(cat "$d/name") ($(cat "$d/file"); tests: $(cat "$d/pkg") -run '$(cat "$d/run" 2>/dev/null)')" >&2
    if [ "$result" = "does not compile" ]; then sed 's/^/    /' "$d/output" | head -20 >&2; fi
  fi
done
if [ "$failed" -gt 0 ]; then
  echo "mutants: $failed of ${#chosen[@]} mutants not caught ($((SECONDS - begin))s)" >&2
  exit 1
fi
echo "mutants: ${#chosen[@]} mutants, all caught ($((SECONDS - begin))s)"
