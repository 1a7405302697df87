# KVM x86 MMU series for Linux 5.10 LTS: fetch the pinned base, apply patches/, build,
# boot under QEMU and run the kvm selftests in every MMU mode.  See README.md.
S := scripts
.DEFAULT_GOAL := all
.PHONY: all deps fetch unpack apply reapply kernel selftests check run shell export \
	check-intel check-series baseline bench bench-fastpf migrate soak results-check clean

all: deps fetch unpack apply kernel selftests

# What the scripts record as the command in each results folder's provenance file.
export WORKBENCH_CMD := make $(or $(MAKECMDGOALS),all)

# PROFILE=debug: the same kernel with KASAN, lockdep, DEBUG_VM, DEBUG_LIST, kmemleak and
# fault injection (config/debug.config), in build/obj-debug; "make kernel PROFILE=debug",
# then "make check PROFILE=debug" runs the matrix on it, booted with KVM's rmap and shadow
# page caches marked for failslab (5.10 only allows that at boot, through slub_debug=A).
ifeq ($(PROFILE),debug)
export PROFILE
export FRAGMENTS := config/debug.config
export PROFILE_APPEND := slub_nomerge slub_debug=A,pte_list_desc,kvm_mmu_page_header
export GUEST_TIMEOUT ?= 5400
# kselftest's per-test timeout, written by "make selftests": eager_page_split_test alone
# ran past 900 s under KASAN (npt1-tdp0, 2026-12-08).
export KSFT_TIMEOUT ?= 3600
endif

deps:
	@$(S)/install-deps.sh
fetch:
	@$(S)/fetch-base.sh
unpack: fetch
	@$(S)/unpack-base.sh
apply: unpack
	@$(S)/apply-series.sh
# Throw away the work tree's commits and take patches/ (asks for a clean tree).
reapply:
	@$(S)/apply-series.sh --reset
kernel:
	@$(S)/build-kernel.sh
selftests:
	@$(S)/build-selftests.sh

# The matrix: every AMD mode (tests/modes, tests/x86.tests, QEMU) and, but in the debug
# profile (KASAN under Bochs would take hours), every Intel mode (Bochs) with the short
# Intel set (check-intel runs the full one).
check:
ifeq ($(PROFILE),debug)
	@$(S)/check.sh
else
	@rc=0; $(S)/check.sh || rc=1; INTEL_SET=short $(S)/check-intel.sh || rc=1; exit $$rc
endif

# The Intel matrix alone, under Bochs with VMX (tests/modes-intel, tests/intel.tests;
# INTEL_MODES, INTEL_TESTS to choose; docs/intel.md).
check-intel:
	@$(S)/check-intel.sh

# One test in one mode with extra kernel parameters, e.g.
#   make run TEST=kvm:dirty_log_test MODE=npt0 APPEND="kvm.eager_page_split=0"
MODE ?= npt0
run:
	@test -n "$(TEST)" || { echo "usage: make run TEST=kvm:name [MODE=npt0] [APPEND=...]"; exit 2; }
	@MODES="$(MODE)" TESTS="$(TEST)" APPEND="$(APPEND)" RUN_NAME=run $(S)/check.sh

# An interactive shell in the guest, in one mode.
shell:
	@APPEND="$(APPEND)" $(S)/run-guest.sh $(MODE)

# Work tree commits (base..HEAD) -> patches/ and patches/series.
export:
	@$(S)/export-series.sh

# Every patch builds on its own (KVM_AMD=m KVM_INTEL=m KVM_WERROR=y) and passes checkpatch.
check-series:
	@$(S)/check-series.sh

# What eager splitting buys: dirty_log_perf_test in each MMU mode, eager split off and on;
# table, CSV and plot in build/results/bench/ (REPEATS=3 SIZE=64M ITERATIONS=3).
bench:
	@$(S)/bench.sh

# What the shadow MMU's lockless write-protection fix buys: dirty_log_perf_test with
# kvm.shadow_fast_page_fault off and on, nested NPT and shadow paging, guest memory mapped
# with 2M and with 4K pages, 1 and 2 vCPUs; table and CSV in build/results/bench-fastpf/.
bench-fastpf:
	@SWITCH=shadow_fast_page_fault VCPUS=$${VCPUS:-1,2} \
		SETUPS="$${SETUPS:-npt1-tdp0:nested,nested4k npt0:direct,direct4k}" \
		OUT=$${OUT:-$(CURDIR)/build/results/bench-fastpf} $(S)/bench.sh

# Live migration with QEMU inside the test kernel: eager split off/on x hugetlbfs/THP x
# REPEATS, without manual protect, cancel and failed destination; every migration compared
# page by page; table, CSV and plot in build/results/migrate/ (MODES="..." REPEATS=3).
migrate:
	@$(S)/migrate.sh

# Longer seeded runs of the randomized tests (tests/soak.tests) in each MMU mode, with the
# same splat check; results in build/results/soak/ (MODES="npt0 ..." to choose).
soak:
	@$(S)/soak.sh

# Every results/ path cited by README, docs/ and the cover letters, with the series it
# measured; fails on a citation of another series' result that does not say so.
results-check:
	@$(S)/results-check.py

# The matrix on the pristine base, kept in results/BASE/baseline/.
baseline:
	@$(S)/baseline.sh

clean:
	rm -rf build/obj build/migrate build/kselftest build/base-kselftest build/series-kselftest build/results build/intel
