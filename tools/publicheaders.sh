#!/bin/sh
# Print the project headers a program using the C API needs: the public roots
# given and every project header they include, one repository path a line,
# sorted.  Asks the compiler (-MM lists the headers a file pulls in, system
# headers left out), so the list follows the includes as they change.
#   sh tools/publicheaders.sh CC ROOT.h...
set -eu
cc=$1; shift
for h in "$@"; do
    "$cc" -std=c11 -Isim -Imodel -MM -MT x -x c "$h"
done | tr ' \\' '\n\n' | grep -E '^(sim|model)/.*\.h$' | sort -u
