#!/usr/bin/env bash
# A fake microphone for the tests: PulseAudio (started when none runs) with a null sink
# whose monitor is remapped as a source, `kua-fake-mic`, made the default source.
#
#   fake-mic.sh up          set it up (idempotent)
#   fake-mic.sh tone HZ     set it up and play a sine of HZ into it; prints the module
#                           index to pass to `quiet`
#   fake-mic.sh quiet N     stop that sine
#
# Debian packages: pulseaudio pulseaudio-utils libasound2-plugins (scripts/setup.sh).
set -euo pipefail

up() {
  if ! pactl info >/dev/null 2>&1; then
    pulseaudio -D --exit-idle-time=-1 2>/dev/null || pulseaudio -D --exit-idle-time=-1
    for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  if ! pactl list short sinks | grep -q $'\tkua-fake-sink\t'; then
    pactl load-module module-null-sink sink_name=kua-fake-sink >/dev/null
  fi
  if ! pactl list short sources | grep -q $'\tkua-fake-mic\t'; then
    pactl load-module module-remap-source master=kua-fake-sink.monitor source_name=kua-fake-mic >/dev/null
  fi
  pactl set-default-source kua-fake-mic
}

case "${1:-}" in
  up) up ;;
  tone) up; pactl load-module module-sine sink=kua-fake-sink frequency="${2:-500}" ;;
  quiet) pactl unload-module "${2:?module index}" ;;
  *) echo "usage: fake-mic.sh up | tone HZ | quiet MODULE" >&2; exit 2 ;;
esac
