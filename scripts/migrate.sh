#!/usr/bin/env bash
# make migrate: live migration with QEMU inside the test kernel (tests/migrate/migrate.py),
# one boot per MMU mode.  In each: eager_page_split 0 and 1 (writable at run time) x guest
# RAM on hugetlbfs and on THP x REPEATS migrations with manual dirty-log protection, the
# same without it (KVM_GET_DIRTY_LOG only), a cancelled migration and one whose destination
# dies, each followed by a migration that must succeed.  Every migration is checked page by
# page; scripts/migrate-report.py then tabulates QEMU's and KVM's figures (table, CSV, plot).
# An Intel mode (tests/modes-intel) boots under Bochs instead (scripts/bochs-run.sh,
# docs/intel.md#migration), with 64 MiB guests (INTEL_RAM); only ept1-pml0 and ept0 can
# run it, a case takes minutes there.
# Environment: MODES (default "npt1-tdp0 npt1-tdp1 npt0"), REPEATS (default 3),
#   OUT (default build/results/migrate), MIGRATE_ARGS (more migrate.py options).
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/migrate}")
modes=${MODES:-npt1-tdp0 npt1-tdp1 npt0}
repeats=${REPEATS:-3}
require_built_from_tree "$OBJ"
[ -f "$BUILD/migrate/payload.elf" ] && [ -f "$BUILD/migrate/dirty-log-shim.so" ] ||
	die "migrate: the guest payload is not built (make selftests)"
for m in $modes; do is_intel_mode "$m" || mode_params "$m" >/dev/null; done
rm -rf "$out" && mkdir -p "$out"
args="--repeats $repeats ${MIGRATE_ARGS:-}"
write_provenance "$out" "modes: $(echo $modes)" "migrate.py matrix $args" \
	"boot: $(sed -n 's/^qemu_opts=//p' "$TOP/scripts/boot.sh"), ${GUEST_CPUS:-2} vCPUs, ${GUEST_MEM:-3G}" \
	"payload: sha256 $(sha256sum <"$BUILD/migrate/payload.elf" | cut -c1-16), qemu in L1: $(qemu-system-x86_64 --version | head -n1)"
status=0
for m in $modes; do
	"$TOP/tests/migrate/migrate.py" $args list-matrix >"$out/$m.tests"
	step "migrate: mode $m ($(if is_intel_mode "$m"; then echo "Intel, under Bochs"; else mode_params "$m"; fi)): $(wc -l <"$out/$m.tests") cases"
	t0=$(date +%s)
	if is_intel_mode "$m"; then
		GUEST_TIMEOUT=${GUEST_TIMEOUT:-14400} "$TOP/scripts/bochs-run.sh" "$m" "$out/$m" \
			"migrate:matrix --ram ${INTEL_RAM:-64} $args" || status=1
		cp "$out/$m/migrate/cases.jsonl" "$out/$m/cases.jsonl" 2>/dev/null || status=1
		# The runner's TAP has one line for the whole matrix: the cases' own lines.
		sed -n -e 's/\r$//' -e 's/^# \(\(not \)\?ok [0-9]* selftests: migrate: .*\)/\1/p' \
			"$out/$m/serial.log" >"$out/$m/tap"
	else
		GUEST_TIMEOUT=${GUEST_TIMEOUT:-3600} "$TOP/scripts/run-guest.sh" -l tap "$m" "$out/$m" \
			"python3 $TOP/tests/migrate/migrate.py --out $out/$m $args matrix" || status=1
	fi
	grep -E '^(ok|not ok) ' "$out/$m/tap" 2>/dev/null | sed 's/^/    /' >&2 || true
	step "migrate: mode $m finished in $(( $(date +%s) - t0 ))s"
done
"$TOP/scripts/summarize.py" "$out" "$TOP/tests/known-failures" $modes | tee "$out/summary" || status=1
# Debian's python3, which has python3-matplotlib (make deps), not one earlier in PATH.
/usr/bin/python3 "$TOP/scripts/migrate-report.py" "$out" $modes || status=1
exit $status
