#!/bin/bash
# Doorbell vs lazy mode in a real guest under QEMU (spec §12): boots the e2e kernel with a busybox initramfs and
# the static guest client (guest-c) twice per repetition, once with ivshmem-doorbell served by
# `vboost agent --ivshmem-server` and once with ivshmem-plain served by a lazy agent, and prints for each:
# whether the guest accepted DOORBELL, the rings the guest sent and the agent received, the agent loop
# thread's CPU ticks and voluntary context switches over 3 s while the guest sleeps, and N round trips
# (request -> acknowledgement, p50/p99/max, measured in the guest).
#
# Usage: benchmarks/run-doorbell-vm.sh [N round trips, default 1000] [repetitions, default 2]
# Needs root, qemu-system-x86_64, busybox, a C compiler, and the guest kernel that scripts/vm-e2e.sh caches in
# ~/.cache/vboost-vm-e2e (run that script once). TCG (no KVM): the guest's BAR0 write reaches the agent's
# eventfd through QEMU's ivshmem MMIO handler on the vCPU thread, not KVM's ioeventfd.
#
# The slot's thread is QEMU's own vCPU thread (`CPU 0/TCG`), taken over QMP: with the doorbell the agent's
# ivshmem server listens first, QEMU starts and connects to it, and the agent then reads QEMU's QMP socket
# (`--ivshmem-server` with `--qmp` and `--slots`); in lazy mode `vboost region` creates the file, QEMU maps it,
# and the agent reuses it. Exits 1 if a guest fails, the doorbell guest did not accept DOORBELL, or the agent
# received no ring (CI runs a short pass from .ci/extra-checks).
set -euo pipefail
n=${1:-1000}; reps=${2:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kernel=$(ls ~/.cache/vboost-vm-e2e/x/boot/vmlinuz-* 2>/dev/null | head -1 || true)
[ -n "$kernel" ] || { echo "no guest kernel in ~/.cache/vboost-vm-e2e: run scripts/vm-e2e.sh once" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (the agent sets SCHED_RR)" >&2; exit 2; }
work=$(mktemp -d /tmp/vboost-doorbell-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
./vboost --version >/dev/null
guest-c/build.sh "$work/vboost-guest"
r="$work/root"
mkdir -p "$r"/{bin,proc,sys,dev}
cp "$(command -v busybox)" "$r/bin/busybox"
for a in sh mount poweroff tr grep sed; do ln -s busybox "$r/bin/$a"; done
cp "$work/vboost-guest" "$r/bin/"
cat > "$r/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
steps=$(tr ' ' '\n' < /proc/cmdline | grep '^vboost.steps=' | sed 's/^vboost.steps=//' | tr ',' ' ')
/bin/vboost-guest --timeout-ms 60000 $steps
echo "guest: vboost-guest exit $?"
poweroff -f
INIT
chmod +x "$r/init"
(cd "$r" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initramfs.cpio.gz"
cat > "$work/policy.properties" <<'POLICY'
boost.policy=RR
priority.ceiling=8
boost.max.us=3000000
budget.us=60000000
budget.window.us=60000000
transitions.per.second=100000
POLICY

run() { # $1 lazy|doorbell
  local mode=$1 d="$work/$1" dev=()
  rm -rf "$d"; mkdir -p "$d"
  local region="$d/vm.vboost" sock="$d/vm.ivshmem" qmp="$d/qmp.sock" apid=""
  agent() { ./vboost agent --region "$region" --slots 1 --qmp "$qmp" --policy "$work/policy.properties" --stats 0 "$@" \
      > "$d/agent.log" 2>&1 & apid=$!; }
  await_log() { # $1 pattern: the agent got that far (60 s at most)
    for _ in $(seq 600); do grep -q "$1" "$d/agent.log" && return 0; sleep 0.1; done
    echo "$mode: the agent never printed '$1'"; cat "$d/agent.log"; exit 1
  }
  if [ "$mode" = doorbell ]; then
    agent --ivshmem-server "$sock" --safety-poll 100ms
    await_log 'ivshmem server listening'   # QEMU connects once: the server first
    dev=(-chardev socket,path="$sock",id=vbdb -device ivshmem-doorbell,chardev=vbdb,vectors=1)
  else
    ./vboost region "$region" --slots 1 > "$d/region.log"   # NOT_READY until the agent serves it
    dev=(-object memory-backend-file,id=vbmem,mem-path="$region",size="$(stat -c %s "$region")",share=on
         -device ivshmem-plain,memdev=vbmem)
  fi
  timeout 900 qemu-system-x86_64 -accel tcg -m 256M -nodefaults -no-user-config -smp 1 -kernel "$kernel" \
    -initrd "$work/initramfs.cpio.gz" -display none -no-reboot -serial file:"$d/serial.log" \
    -name guest=db,debug-threads=on -qmp unix:"$qmp",server=on,wait=off \
    -append "console=ttyS0 quiet panic=-1 vboost.steps=attach,boost:0:rr:5,release:0,sleep:5000,bench:0:$n:5,detach" \
    "${dev[@]}" &
  local qpid=$!
  if [ "$mode" = lazy ]; then
    for _ in $(seq 600); do [ -S "$qmp" ] && break; sleep 0.1; done
    agent
  fi
  await_log '^vboost agent: region'
  for _ in $(seq 3000); do grep -q 'step 3 release' "$d/serial.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5 # the guest now sleeps 5 s: sample the agent loop thread over 3 s of it
  local loop
  loop=$(dirname "$(grep -lx 'vboost-agent' /proc/$apid/task/*/comm | head -1)")
  snap() { echo "$(awk '{print $14+$15}' "$loop/stat") $(sed -n 's/^voluntary_ctxt_switches:\s*//p' "$loop/status")"; }
  local s1 s2; s1=$(snap); sleep 3; s2=$(snap)
  wait $qpid || true
  kill -TERM $apid; wait $apid || true
  local bench attach rang rings
  attach=$(grep -o 'doorbell accepted\|doorbell not offered (lazy)\|no doorbell (lazy)' "$d/serial.log" | head -1)
  bench=$(grep -o 'p50 [0-9]* us, p99 [0-9]* us, max [0-9]* us' "$d/serial.log" || echo "bench failed")
  rang=$(grep -o 'rang the host [0-9]*' "$d/serial.log" | grep -o '[0-9]*$' || echo "?")
  rings=$(grep -o 'rings [0-9]*, spurious [0-9]*, coalesced [0-9]*' "$d/agent.log" | tail -1 || true)
  grep -q 'guest: vboost-guest exit 0' "$d/serial.log" || { echo "$mode: guest failed"; tail -20 "$d/serial.log"; cat "$d/agent.log"; exit 1; }
  grep -q 'vCPU threads {0=' "$d/agent.log" || { echo "$mode: no vCPU thread from QMP"; cat "$d/agent.log"; exit 1; }
  if [ "$mode" = doorbell ]; then
    [ "$attach" = "doorbell accepted" ] || { echo "doorbell: the guest did not accept DOORBELL ($attach)"; exit 1; }
    local got; got=$(printf '%s\n' "$rings" | sed -n 's/^rings \([0-9]*\),.*/\1/p')
    [ "${got:-0}" -gt 0 ] || { echo "doorbell: the agent received no ring ($rings)"; cat "$d/agent.log"; exit 1; }
  fi
  printf '%-8s | %-27s | guest rang %5s | agent %-38s | idle 3 s: %3d ticks, %6d voluntary switches | %d round trips: %s\n' \
    "$mode" "$attach" "$rang" "${rings:-(no doorbell)}" $(( ${s2% *} - ${s1% *} )) $(( ${s2#* } - ${s1#* } )) "$n" "$bench"
}
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), kernel $(uname -r), $(java -version 2>&1 | head -1), $(qemu-system-x86_64 --version | head -1); load $(cut -d' ' -f1-3 /proc/loadavg); clock ticks/s $(getconf CLK_TCK)"
for _ in $(seq "$reps"); do run doorbell; run lazy; done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
