#!/bin/bash
# In L1: loop the first two matrix cases; a sampler logs L1's per-CPU timer interrupts,
# KVM exits, the payload's serial progress and the QEMU threads every 3 s.
D=/work/main/build/explore/stall2
sampler() {
	local last= same=0
	while :; do
		t=$(cut -d' ' -f1 /proc/uptime)
		loc=$(grep -E '^ *LOC' /proc/interrupts | awk '{print $2, $3}')
		cal=$(grep -E '^ *CAL' /proc/interrupts | awk '{print $2, $3}')
		ex=$(cat /sys/kernel/debug/kvm/exits 2>/dev/null)
		ser=$(for f in /tmp/migrate/*/src.serial; do [ -e "$f" ] && tail -c 40 "$f" | tr -d '\r' | tail -n1; done | tr '\n' ' ')
		thr=$(for p in $(pgrep -f qemu-system); do for t2 in /proc/$p/task/*; do s=($(sed 's/.*) //' $t2/stat)); printf '%s:%s:%s:%s ' "$p" "$(cat $t2/comm | tr ' ' _)" "${s[0]}" "${s[36]}"; done; done)
		echo "$t LOC[$loc] CAL[$cal] exits=$ex ser[$ser] thr[$thr]"
		if [ -n "$ser" ] && [ "$ser" = "$last" ]; then same=$((same+1)); else same=0; fi
		last=$ser
		if [ $same -ge 6 ] && [ ! -e $D/STALL ]; then
			touch $D/STALL; echo "STALL flagged"
			cat /proc/interrupts > $D/interrupts.1; sleep 5; cat /proc/interrupts > $D/interrupts.2
			for p in $(pgrep -f qemu-system); do for t2 in /proc/$p/task/*; do echo "== $t2 $(cat $t2/comm)"; cat $t2/wchan; echo; cat $t2/stack 2>/dev/null; done; done > $D/stacks 2>&1
			cat /proc/sched_debug > $D/sched_debug 2>/dev/null
		fi
		sleep 3
	done
}
mount -t debugfs none /sys/kernel/debug 2>/dev/null
sampler > $D/samples.log 2>&1 &
sp=$!
for i in $(seq 1 ${N:-10}); do
	python3 /work/main/tests/migrate/migrate.py --out $D/res-$i --timeout 90 --repeats 1 --only "${ONLY:-hugetlbfs-eager0-r1,hugetlbfs-eager1-r1}" matrix > $D/run-$i.log 2>&1
	echo "run $i done rc=$?" >> $D/samples.log
	[ -e $D/STALL ] && { sleep 20; break; }
done
kill $sp
