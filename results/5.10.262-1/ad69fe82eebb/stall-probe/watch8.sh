#!/bin/bash
# Host: when the guest flags a stall, sample the outer QEMU's monitor three times.
D=/work/main/build/explore/stall2
while :; do
	if [ -e $D/STALL ]; then
		for k in 1 2 3; do python3 /work/main/build/explore/mon.py > $D/mon-$k.txt 2>&1; sleep 2; done
		echo "monitor sampled"; exit 0
	fi
	sleep 2
done
