cd /work/main/build/kselftest; n=0; echo 'TAP version 13'
n=$((n + 1)); s=$(date +%s); ./kvm/dirty_log_memslot_race_test -i 200 2>&1 | sed "s/^/# /"; rc=${PIPESTATUS[0]}
case $rc in 0) r=ok ;; 4) r="ok # SKIP" ;; *) r="not ok" ;; esac
echo "$r $n kvm/dirty_log_memslot_race_test -i 200 (exit $rc, $(( $(date +%s) - s )) s)"
n=$((n + 1)); s=$(date +%s); ./kvm/svm_nested_npt_fault_dirty_log_test 2>&1 | sed "s/^/# /"; rc=${PIPESTATUS[0]}
case $rc in 0) r=ok ;; 4) r="ok # SKIP" ;; *) r="not ok" ;; esac
echo "$r $n kvm/svm_nested_npt_fault_dirty_log_test (exit $rc, $(( $(date +%s) - s )) s)"
n=$((n + 1)); s=$(date +%s); ./kvm/page_table_permissions_dirty_log_test 2>&1 | sed "s/^/# /"; rc=${PIPESTATUS[0]}
case $rc in 0) r=ok ;; 4) r="ok # SKIP" ;; *) r="not ok" ;; esac
echo "$r $n kvm/page_table_permissions_dirty_log_test (exit $rc, $(( $(date +%s) - s )) s)"
