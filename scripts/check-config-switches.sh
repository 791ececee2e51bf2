#!/usr/bin/env bash
# The compile-time switches (include/ffamed/config.h, docs/CONFIG.md): the
# core builds with each switch off, and the mediator tests that apply pass
# there (test_config_switches asserts NOT_SUPPORTED from FFA_FEATURES and
# from the calls). To keep CI short, one build with every switch off runs
# the whole mediator suite that applies; the builds with one switch off
# each run the tests about the switches, the gate and the version.
# For the memory switches it also checks with nm that the code is absent:
# no core object but the stand-ins (med_compiled_out.c) defines a function
# of a feature switched off, and its own file defines them when it is on.
# Build trees: build-config/<variant>. No tools, no system suites.
#   scripts/check-config-switches.sh [JOBS]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-$(nproc)}
focused=(mediator_test_config_switches mediator_test_features mediator_test_served_table
         mediator_test_version mediator_test_config_mem mediator_test_conc_config_mem)
# Functions of a feature (external, so never inlined away): switched off,
# only med_compiled_out.c may define them; on, their own file does.
lend_fns=(med_mem_lend_remove_access med_mem_lend_restore_access med_mem_donated
          med_mem_owner_mark_donated)
borrow_fns=(med_handle_mem_retrieve med_handle_mem_relinquish med_handle_mem_frag_rx
            med_mem_pin_held med_mem_borrow_unmap med_mem_zero)
variants=(
  "all-off|-DFFAMED_CONFIG_VM_TO_VM=OFF -DFFAMED_CONFIG_NOTIFICATIONS=OFF -DFFAMED_CONFIG_INDIRECT_MSG=OFF -DFFAMED_CONFIG_MEM_SHARE=OFF -DFFAMED_CONFIG_MEM_LEND_DONATE=OFF -DFFAMED_CONFIG_MEM_VM_BORROWERS=OFF|all"
  "no-vm-to-vm|-DFFAMED_CONFIG_VM_TO_VM=OFF|focused"
  "no-notifications|-DFFAMED_CONFIG_NOTIFICATIONS=OFF|focused"
  "no-indirect-msg|-DFFAMED_CONFIG_INDIRECT_MSG=OFF|focused"
  "no-mem-share|-DFFAMED_CONFIG_MEM_SHARE=OFF -DFFAMED_CONFIG_MEM_LEND_DONATE=OFF -DFFAMED_CONFIG_MEM_VM_BORROWERS=OFF|focused"
  "no-lend-donate|-DFFAMED_CONFIG_MEM_LEND_DONATE=OFF|focused"
  "no-vm-borrowers|-DFFAMED_CONFIG_MEM_VM_BORROWERS=OFF|focused"
  "ffa-1.1|-DFFAMED_CONFIG_FFA_MINOR_MAX=1|focused"
)
# Every switch set each time: a reused build tree keeps no old value.
base="-DFFAMED_CONFIG_VM_TO_VM=ON -DFFAMED_CONFIG_NOTIFICATIONS=ON -DFFAMED_CONFIG_INDIRECT_MSG=ON"
base+=" -DFFAMED_CONFIG_MEM_SHARE=ON -DFFAMED_CONFIG_MEM_LEND_DONATE=ON"
base+=" -DFFAMED_CONFIG_MEM_VM_BORROWERS=ON -DFFAMED_CONFIG_FFA_MINOR_MAX=2"
status=0
mkdir -p "$root/build-config"
for v in "${variants[@]}"; do
  IFS='|' read -r name opts which <<< "$v"
  b="$root/build-config/$name"
  # shellcheck disable=SC2086
  if ! cmake -S "$root" -B "$b" -DFFAMED_BUILD_TESTS=ON -DFFAMED_BUILD_TOOLS=OFF \
       -DFFAMED_EL2_PORT=OFF $base $opts >"$b.log" 2>&1; then
    echo "$name: configure FAILED"; tail -5 "$b.log"; status=1; continue
  fi
  # The tests this configuration has (those of compiled-out features are not).
  have=($(ctest --test-dir "$b" -N -L mediator | awk '/Test +#/ {print $3}'))
  if [ "$which" = all ]; then
    targets=("${have[@]}")
  else
    targets=()
    for t in "${focused[@]}"; do
      [[ " ${have[*]} " == *" $t "* ]] && targets+=("$t")
    done
  fi
  regex="^($(IFS='|'; echo "${targets[*]}"))\$"
  if ! cmake --build "$b" -j"$jobs" --target ffamed_shared "${targets[@]}" >>"$b.log" 2>&1; then
    echo "$name: build FAILED"; grep -E 'error|warning' "$b.log" | head -10; status=1; continue
  fi
  objs=("$b"/CMakeFiles/ffamed_core.dir/src/mediator/*.o)
  defs=$(nm -A --defined-only "${objs[@]}" 2>/dev/null)
  for group in "MEM_LEND_DONATE|${lend_fns[*]}" "MEM_VM_BORROWERS|${borrow_fns[*]}"; do
    IFS='|' read -r sw fns <<< "$group"
    off=false
    [[ " $opts " == *"-DFFAMED_CONFIG_${sw}=OFF "* || " $opts " == *"MEM_SHARE=OFF "* ]] && off=true
    for fn in $fns; do
      owners=$(awk -v f="$fn" '$NF == f && $(NF-1) ~ /^[TtW]$/ {sub(/:.*/, "", $1); print $1}' \
               <<< "$defs" | xargs -r -n1 basename | sort -u | tr '\n' ' ')
      if $off && [[ -n "${owners// /}" && "$owners" != "med_compiled_out.c.o " ]]; then
        echo "$name: $fn still compiled in ($owners)"; status=1
      elif ! $off && [[ -z "$owners" || "$owners" == *med_compiled_out* ]]; then
        echo "$name: $fn missing or stood in ($owners)"; status=1
      fi
    done
  done
  if ctest --test-dir "$b" -R "$regex" -j"$jobs" --output-on-failure >>"$b.log" 2>&1; then
    echo "$name: $(grep -E 'tests passed' "$b.log" | tail -1)"
  else
    echo "$name: tests FAILED"; grep -E 'Failed|\*\*\*' "$b.log" | head -10; status=1
  fi
done
exit $status
