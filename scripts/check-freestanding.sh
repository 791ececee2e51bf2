#!/usr/bin/env bash
# The mediator core and the software SPMC must build without a hosted libc:
# they may include only freestanding headers and <string.h>, plus our own
# (src/common holds the headers they share).
set -eu
root=${1:-$(dirname "$0")/..}
allowed='stdint.h|stddef.h|stdbool.h|stdarg.h|stdatomic.h|string.h|limits.h'
bad=$(grep -HnE '^\s*#\s*include\s*<' "$root"/src/mediator/*.[ch] "$root"/src/spmc/*.[ch] "$root"/src/common/*.h \
      "$root"/include/ffamed/ffa.h "$root"/include/ffamed/ffa_names.h "$root"/include/ffamed/ffa_regs.h "$root"/include/ffamed/port.h \
      "$root"/include/ffamed/mediator.h "$root"/include/ffamed/spmc.h \
      "$root"/include/ffamed/regs.h "$root"/include/ffamed/config.h "$root"/include/ffamed/export.h \
      "$root"/include/ffamed/version.h 2>/dev/null |
      grep -vE "<($allowed)>" || true)
if [ -n "$bad" ]; then
  echo "hosted headers in freestanding code:"; echo "$bad"; exit 1
fi
echo "freestanding includes: ok"
